package dev.mcpbroker.sessiontable.lease;

import dev.mcpbroker.sessiontable.SessionTable;
import java.util.Map;

/**
 * Every condition used on lease items, with its placeholder names, pinned by a unit test: these
 * conditions are what keeps a session cap exact under concurrency.
 */
final class LeaseExpressions {

    static final String HOLDER = "holder";
    static final String UNTIL = "leaseUntil";

    /** A slot is taken only when nobody holds it or its lease ran out. */
    static final String ACQUIRE_CONDITION = "attribute_not_exists(#pk) OR #until < :now";
    static final Map<String, String> ACQUIRE_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#until", UNTIL);

    /** Only the holder extends its lease. */
    static final String RENEW_CONDITION = "#holder = :holder";
    static final String RENEW_UPDATE = "SET #until = :until, #ttl = :ttl";
    static final Map<String, String> RENEW_NAMES = Map.of(
            "#holder", HOLDER,
            "#until", UNTIL,
            "#ttl", SessionTable.TTL_ATTRIBUTE);

    /** Only the holder frees its slot. */
    static final String RELEASE_CONDITION = "#holder = :holder";
    static final Map<String, String> RELEASE_NAMES = Map.of("#holder", HOLDER);

    /** The reaper deletes a lease only if it is still expired when deleted (not renewed or re-taken meanwhile). */
    static final String REAP_CONDITION = "#until < :now";
    static final Map<String, String> REAP_NAMES = Map.of("#until", UNTIL);

    private LeaseExpressions() {
    }
}
