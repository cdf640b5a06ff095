package dev.mcpbroker.core.pinning;

import java.util.Optional;

/**
 * The approved tool definitions and pinning mode of each upstream server, kept beside the upstream registry.
 * Approvals are conditional: an approval names the approval it replaces (or none), so an operator approves exactly
 * the change they looked at, and two approvals of the same tool never overwrite each other unseen. Implementations
 * throw {@link dev.mcpbroker.core.error.StoreUnavailableException} when the store cannot be read or written.
 */
public interface ToolApprovals {

    /** The server's mode and approvals; {@link ServerPins#NONE} for a server never set up. */
    ServerPins read(String serverId);

    /**
     * Stores an approval.
     *
     * @param replacing the hash of the approval this one replaces, as the caller read it; empty when the caller saw
     *                  none for this tool
     * @throws ApprovalConflictException when the stored approval is not the one named by {@code replacing}; nothing
     *                                   was written
     */
    void approve(String serverId, ApprovedTool approval, Optional<String> replacing);

    /** Sets the server's mode. */
    void setMode(String serverId, PinningMode mode);
}
