package dev.mcpbroker.sessiontable.policy;

import java.util.Map;

/**
 * The condition expressions of virtual server items, pinned by a unit test: they decide what two administrators
 * defining the same name at once, or registering an upstream server under it, can do.
 */
final class VirtualServerExpressions {

    /** A new definition never overwrites one. */
    static final String CREATE_CONDITION = "attribute_not_exists(#pk)";
    /** A replacement replaces only a definition that exists. */
    static final String REPLACE_CONDITION = "attribute_exists(#pk)";
    /** No upstream server may be registered under the virtual server's name: checked in the same transaction. */
    static final String NAME_FREE_CONDITION = "attribute_not_exists(#pk)";
    /** Every member is a registered upstream server: checked in the same transaction. */
    static final String MEMBER_CONDITION = "attribute_exists(#pk)";
    /** A removal removes a definition that exists, so the caller learns whether it changed anything. */
    static final String REMOVE_CONDITION = "attribute_exists(#pk)";
    static final Map<String, String> NAMES = Map.of("#pk", PolicyTable.PARTITION_KEY);

    private VirtualServerExpressions() {
    }
}
