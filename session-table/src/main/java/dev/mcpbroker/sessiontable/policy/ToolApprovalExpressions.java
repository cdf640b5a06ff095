package dev.mcpbroker.sessiontable.policy;

import java.util.Map;

/**
 * Every expression used on tool pinning items, with its placeholder names, pinned by a unit test: a changed condition
 * changes whether an approval can silently replace another.
 */
final class ToolApprovalExpressions {

    /** A server's pinning items, all at once. */
    static final String READ_KEY_CONDITION = "#pk = :pk";
    static final Map<String, String> READ_NAMES = Map.of("#pk", PolicyTable.PARTITION_KEY);

    /** The first approval of a tool: only where none exists, so it never replaces one unseen. */
    static final String APPROVE_NEW_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> APPROVE_NEW_NAMES = Map.of("#pk", PolicyTable.PARTITION_KEY);

    /** A later approval: only over the approval the operator looked at. */
    static final String APPROVE_REPLACING_CONDITION = "#hash = :replacing";
    static final Map<String, String> APPROVE_REPLACING_NAMES = Map.of("#hash", ToolApprovalItems.HASH);

    /**
     * The mode is set together with a check that the server is registered (one transaction), so a mistyped server id
     * never gets a pinning of its own.
     */
    static final String SERVER_REGISTERED_CONDITION = "attribute_exists(#pk)";
    static final Map<String, String> SERVER_REGISTERED_NAMES = Map.of("#pk", PolicyTable.PARTITION_KEY);
    static final String SET_MODE_UPDATE = "SET #mode = :mode, #updatedAt = :updatedAt";
    static final Map<String, String> SET_MODE_NAMES = Map.of("#mode", ToolApprovalItems.MODE,
            "#updatedAt", ToolApprovalItems.UPDATED_AT);

    private ToolApprovalExpressions() {
    }
}
