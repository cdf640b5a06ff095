package dev.mcpbroker.sessiontable.lease;

import dev.mcpbroker.sessiontable.SessionTable;
import java.util.Map;

/** Conditions on warm-pool entries, pinned by a unit test. */
final class WarmPoolExpressions {

    /** A new entry never overwrites another. */
    static final String ADD_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> ADD_NAMES = Map.of("#pk", SessionTable.PARTITION_KEY);

    /** Taking deletes the entry only while it exists: of racing takers exactly one gets it. */
    static final String TAKE_CONDITION = "attribute_exists(#pk)";
    static final Map<String, String> TAKE_NAMES = ADD_NAMES;

    private WarmPoolExpressions() {
    }
}
