package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.sessiontable.SessionTable;
import java.util.Map;

/**
 * Every condition, update and key expression used on audit outbox items, with exactly the placeholder names each
 * request uses (DynamoDB refuses unused ones). A unit test pins each: the head conditions alone keep two broker
 * instances from giving two events the same place in a session's chain.
 */
final class AuditOutboxExpressions {

    /** Head: the sequence number of the chain's last stored event. */
    static final String SEQ = "seq";
    /** Head: the hash of the chain's last stored event, the next event's previousHash. */
    static final String HASH = "hash";
    /** Event: the event as canonical JSON, exactly the bytes the forwarder publishes. */
    static final String EVENT = "event";
    /** Event: whether the forwarder has put it on the audit stream. */
    static final String DELIVERED = "delivered";
    /** Event: its id, so an item can be matched to an event without decoding it. */
    static final String EVENT_ID = "eventId";

    /*
     * The head moves on only from the state the new event was chained on. Without a head (first event, or the head
     * expired) nobody may have created one meanwhile; with one, its seq must still be the one we linked after. The
     * seq alone suffices: every successful append raises it, and hash and seq change together in one transaction.
     */
    static final String HEAD_CREATE_CONDITION = "attribute_not_exists(#pk)";
    static final String HEAD_ADVANCE_CONDITION = "#seq = :expectedSeq";

    /*
     * The head's TTL is refreshed with every append, so it outlives every event it heads: a head is gone only when
     * all of its chain's events are past retention too.
     */
    static final String HEAD_UPDATE = "SET #seq = :next, #hash = :hash, #expiresAt = :expiresAt";
    static final Map<String, String> HEAD_CREATE_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#seq", SEQ,
            "#hash", HASH,
            "#expiresAt", SessionTable.TTL_ATTRIBUTE);
    static final Map<String, String> HEAD_ADVANCE_NAMES = Map.of(
            "#seq", SEQ,
            "#hash", HASH,
            "#expiresAt", SessionTable.TTL_ATTRIBUTE);

    /*
     * An event never replaces another: the head should make this redundant, but if it does not (a head lost while
     * its events remain), overwriting would silently rewrite the trail.
     */
    static final String EVENT_CREATE_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> EVENT_CREATE_NAMES = Map.of("#pk", SessionTable.PARTITION_KEY);

    /*
     * Marks only the event the forwarder delivered: the item must exist (an update would otherwise create a stray
     * item holding nothing but a flag) and hold that event, not another one at the same position.
     */
    static final String MARK_DELIVERED_CONDITION = "attribute_exists(#pk) AND #eventId = :eventId";
    /* Removing the index key takes the event out of the sparse index of undelivered events. */
    static final String MARK_DELIVERED_UPDATE = "SET #delivered = :true REMOVE #undelivered";
    static final Map<String, String> MARK_DELIVERED_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#eventId", EVENT_ID,
            "#delivered", DELIVERED,
            "#undelivered", SessionTable.UNDELIVERED_ATTRIBUTE);

    /* A re-drive needs only the chains that have undelivered events; it reads their events from the table. */
    static final String BACKLOG_PROJECTION = "#undelivered";
    static final Map<String, String> BACKLOG_NAMES = Map.of("#undelivered", SessionTable.UNDELIVERED_ATTRIBUTE);

    /* The chain's events in sequence order (the sort keys are zero-padded), the head excluded by its sort key. */
    static final String UNDELIVERED_KEY_CONDITION = "#pk = :pk AND begins_with(#sk, :eventPrefix)";
    static final String UNDELIVERED_FILTER = "#delivered = :false";
    static final Map<String, String> UNDELIVERED_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#sk", SessionTable.SORT_KEY,
            "#delivered", DELIVERED);

    /*
     * Every chain's head, for the verifier's truncation check: a Scan (heads are spread over every chain's partition)
     * that keeps only head items of audit partitions and reads only what the check needs.
     */
    static final String HEADS_FILTER = "#sk = :head AND begins_with(#pk, :audit)";
    static final String HEADS_PROJECTION = "#pk, #seq, #expiresAt";
    static final Map<String, String> HEADS_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#sk", SessionTable.SORT_KEY,
            "#seq", SEQ,
            "#expiresAt", SessionTable.TTL_ATTRIBUTE);

    private AuditOutboxExpressions() {
    }
}
