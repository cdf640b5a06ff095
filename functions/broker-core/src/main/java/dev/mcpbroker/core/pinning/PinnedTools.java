package dev.mcpbroker.core.pinning;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.TtlCache;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One instance's view of tool pinning: each server's mode and approvals (read through a cache for as long as any
 * policy change may take to arrive) and the live definitions it learned. Under {@link PinningMode#WARN} it approves
 * a tool it sees for the first time, with a write that only creates, so it never replaces an operator's approval.
 */
public final class PinnedTools {

    private static final System.Logger LOG = System.getLogger(PinnedTools.class.getName());

    private final ToolApprovals approvals;
    private final TtlCache<String, ServerPins> pins;
    private final LiveTools live;
    private final Clock clock;

    /**
     * @param approvalsTtl how long a mode or approval read is trusted (the policy cache TTL)
     * @param liveTtl      how long a live definition learned from a list is trusted before the upstream is asked again
     */
    public PinnedTools(ToolApprovals approvals, Duration approvalsTtl, Duration liveTtl, Clock clock) {
        this.approvals = Objects.requireNonNull(approvals);
        this.pins = new TtlCache<>(approvalsTtl, clock);
        this.live = new LiveTools(liveTtl, clock);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The server's mode and approvals; throws {@link StoreUnavailableException} when they cannot be read. */
    public ServerPins pins(String serverId) {
        return pins.get(serverId, approvals::read);
    }

    public LiveTools live() {
        return live;
    }

    /**
     * Approves a definition the broker sees for the first time on a server under {@link PinningMode#WARN}. Best
     * effort: when it cannot be stored, the tool is still new next time, and the call or list it came with goes on.
     *
     * @return whether this call stored it
     */
    public boolean approveOnFirstSight(String serverId, ToolDefinition definition) {
        try {
            approvals.approve(serverId, new ApprovedTool(definition, clock.instant(), ApprovedTool.FIRST_SIGHT),
                    Optional.empty());
            return true;
        } catch (ApprovalConflictException someoneElse) {
            return false;
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, () -> "tool '" + definition.name() + "' of '" + serverId
                    + "' seen for the first time was not approved: " + e.getMessage());
            return false;
        } finally {
            pins.invalidate(serverId);
        }
    }
}
