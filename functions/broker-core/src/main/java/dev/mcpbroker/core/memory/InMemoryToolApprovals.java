package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.pinning.ApprovalConflictException;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolApprovals;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link ToolApprovals} in memory, with the same conditional approvals as the table. */
public final class InMemoryToolApprovals extends Availability implements ToolApprovals {

    private final Map<String, PinningMode> modes = new HashMap<>();
    private final Map<String, Map<String, ApprovedTool>> approvals = new HashMap<>();

    @Override
    public synchronized ServerPins read(String serverId) {
        answer("read");
        return new ServerPins(modes.getOrDefault(serverId, PinningMode.OFF),
                approvals.getOrDefault(serverId, Map.of()));
    }

    @Override
    public synchronized void approve(String serverId, ApprovedTool approval, Optional<String> replacing) {
        answer("approve");
        Map<String, ApprovedTool> tools = approvals.computeIfAbsent(serverId, id -> new HashMap<>());
        Optional<ApprovedTool> current = Optional.ofNullable(tools.get(approval.name()));
        if (!current.map(ApprovedTool::hash).equals(replacing)) {
            throw new ApprovalConflictException(serverId, approval.name(), current);
        }
        tools.put(approval.name(), approval);
    }

    @Override
    public synchronized void setMode(String serverId, PinningMode mode) {
        answer("setMode");
        modes.put(serverId, mode);
    }
}
