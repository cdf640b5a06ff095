package dev.mcpbroker.sessiontable;

import java.util.Map;

/**
 * Every condition and update expression used on session items, with its placeholder names. Kept in one
 * place so a unit test pins each one: changing a condition changes what concurrent writers may do.
 */
final class SessionExpressions {

    static final String STATE = "state";
    static final String VERSION = "version";
    static final String ENDED_AT = "endedAt";

    /** A new session may never overwrite an existing item. */
    static final String CREATE_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> CREATE_NAMES = Map.of("#pk", SessionTable.PARTITION_KEY);

    /** Ending is allowed once, and only from the version the caller read. */
    static final String END_CONDITION = "#state = :active AND #version = :expectedVersion";
    static final String END_UPDATE = "SET #state = :ended, #endedAt = :endedAt, #version = :nextVersion";
    static final Map<String, String> END_NAMES = Map.of(
            "#state", STATE,
            "#version", VERSION,
            "#endedAt", ENDED_AT);

    private SessionExpressions() {
    }
}
