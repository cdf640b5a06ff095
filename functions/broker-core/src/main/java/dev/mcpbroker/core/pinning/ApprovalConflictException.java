package dev.mcpbroker.core.pinning;

import java.util.Optional;

/** An approval whose precondition failed: the stored approval is not the one the caller read. Nothing was written. */
public final class ApprovalConflictException extends RuntimeException {

    private final transient Optional<ApprovedTool> current;

    public ApprovalConflictException(String serverId, String tool, Optional<ApprovedTool> current) {
        super("the approval of tool '" + tool + "' of '" + serverId + "' changed meanwhile"
                + current.map(c -> " (now " + c.hash() + ")").orElse(" (now none)"));
        this.current = current;
    }

    /** The approval stored now, if the store said. */
    public Optional<ApprovedTool> current() {
        return current;
    }
}
