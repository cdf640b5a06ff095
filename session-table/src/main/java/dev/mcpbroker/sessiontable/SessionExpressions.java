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

    /**
     * A session under a known id (one the broker holds for stateless agents) may take the place of an ended or
     * expired one, never of a live one: concurrent openers of the same held session leave exactly one.
     */
    static final String CREATE_UNLESS_LIVE_CONDITION =
            "attribute_not_exists(#pk) OR #state = :ended OR #idleExpiresAt <= :now OR #absoluteExpiresAt <= :now";
    static final Map<String, String> CREATE_UNLESS_LIVE_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#state", STATE,
            "#idleExpiresAt", SessionItems.IDLE_EXPIRES_AT,
            "#absoluteExpiresAt", SessionItems.ABSOLUTE_EXPIRES_AT);

    /**
     * A change (touch, re-opened upstream session, new affinity) replaces the whole item, only over the
     * version it was computed from and only while the session is active: a concurrent change makes it
     * fail, and the caller recomputes it from the stored item returned with the failure.
     */
    static final String REPLACE_CONDITION = "#state = :active AND #version = :expectedVersion";
    static final Map<String, String> REPLACE_NAMES = Map.of(
            "#state", STATE,
            "#version", VERSION);

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
