package dev.mcpbroker.sessiontable;

import java.util.Map;

/**
 * The conditions on rate-limit buckets, pinned by a unit test: they alone keep concurrent broker
 * instances from admitting the same token twice.
 */
final class RateLimitExpressions {

    static final String TAT = "tat";
    static final String VERSION = "version";

    /** The first request of a bucket creates it, unless another instance just did. */
    static final String CREATE_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> CREATE_NAMES = Map.of("#pk", SessionTable.PARTITION_KEY);

    /*
     * A bucket moves on only from the state the decision was computed from. The tat alone would do while
     * the item lives, since every write raises it; the version also rules out a bucket that expired, was
     * re-created and happens to carry an equal tat.
     */
    static final String ADVANCE_CONDITION = "#tat = :expectedTat AND #version = :expectedVersion";
    static final Map<String, String> ADVANCE_NAMES = Map.of("#tat", TAT, "#version", VERSION);

    private RateLimitExpressions() {
    }
}
