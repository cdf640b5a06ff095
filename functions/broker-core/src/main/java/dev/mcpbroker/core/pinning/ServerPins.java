package dev.mcpbroker.core.pinning;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A server's pinning: its mode and the approved definition of each tool, by name.
 */
public record ServerPins(PinningMode mode, Map<String, ApprovedTool> approved) {

    /** A server nobody set up for pinning: off, nothing approved. */
    public static final ServerPins NONE = new ServerPins(PinningMode.OFF, Map.of());

    public ServerPins {
        Objects.requireNonNull(mode, "mode");
        approved = Map.copyOf(approved);
    }

    public Optional<ApprovedTool> approvedOf(String tool) {
        return Optional.ofNullable(approved.get(tool));
    }

    /** How {@code live} stands against the approval of its name. */
    public PinStatus statusOf(ToolDefinition live) {
        ApprovedTool approval = approved.get(live.name());
        if (approval == null) {
            return PinStatus.NEW;
        }
        return approval.hash().equals(live.hash()) ? PinStatus.APPROVED : PinStatus.CHANGED;
    }
}
