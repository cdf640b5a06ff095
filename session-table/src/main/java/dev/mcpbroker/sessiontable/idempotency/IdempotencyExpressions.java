package dev.mcpbroker.sessiontable.idempotency;

import dev.mcpbroker.sessiontable.SessionTable;
import java.util.Map;

/**
 * Every condition, update and key expression used on idempotency items, with exactly the placeholder
 * names each uses (DynamoDB refuses unused ones). A unit test pins each: they alone decide which of two
 * broker instances wins a key, and that a late holder cannot overwrite an outcome declared unknown.
 */
final class IdempotencyExpressions {

    static final String TENANT_ID = "tenantId";
    static final String AGENT_ID = "agentId";
    static final String SERVER_ID = "serverId";
    static final String TOOL = "tool";
    static final String KEY = "key";
    static final String FINGERPRINT = "fingerprint";
    static final String STATUS = "status";
    static final String CLAIMED_AT = "claimedAt";
    static final String LEASE_UNTIL = "leaseUntil";
    static final String VERSION = "version";
    static final String UNKNOWN_AT = "unknownAt";
    /** The result as text, when its UTF-8 fits the inline limit. */
    static final String RESULT = "result";
    /** The result gzipped, when only the compressed form fits. */
    static final String RESULT_GZIP = "resultGzip";
    /** How many chunk items hold the gzipped result, when even that does not fit. */
    static final String RESULT_CHUNKS = "resultChunks";
    /** SHA-256 (hex) of the gzipped bytes the chunks must reassemble to. */
    static final String RESULT_DIGEST = "resultDigest";
    /** A chunk item's slice of the gzipped result. */
    static final String CHUNK = "chunk";

    /*
     * A key is taken unless its record is past retention: TTL deletion lags by up to days, and a record
     * past its retention no longer deduplicates anything. Replacing it is what its deletion would allow.
     */
    static final String CLAIM_CONDITION = "attribute_not_exists(#pk) OR #expiresAt <= :now";
    static final Map<String, String> CLAIM_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#expiresAt", SessionTable.TTL_ATTRIBUTE);

    /*
     * Only the caller's own claim moves on: still in progress, at the version it holds. claimedAt tells
     * apart two claims that both start at version 1 (one released or expired, the next made afresh), so a
     * late holder can never complete, abandon or delete its successor's claim.
     */
    static final String OWN_CLAIM_CONDITION = "#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt";

    static final String COMPLETE_TEXT_UPDATE = "SET #status = :completed, #result = :result, #version = :nextVersion";
    static final Map<String, String> COMPLETE_TEXT_NAMES = Map.of(
            "#status", STATUS, "#version", VERSION, "#claimedAt", CLAIMED_AT, "#result", RESULT);

    static final String COMPLETE_GZIP_UPDATE = "SET #status = :completed, #resultGzip = :resultGzip, #version = :nextVersion";
    static final Map<String, String> COMPLETE_GZIP_NAMES = Map.of(
            "#status", STATUS, "#version", VERSION, "#claimedAt", CLAIMED_AT, "#resultGzip", RESULT_GZIP);

    /* Written only after every chunk is stored: a reader never sees COMPLETED without its whole result. */
    static final String COMPLETE_CHUNKED_UPDATE =
            "SET #status = :completed, #resultChunks = :resultChunks, #resultDigest = :resultDigest, #version = :nextVersion";
    static final Map<String, String> COMPLETE_CHUNKED_NAMES = Map.of(
            "#status", STATUS, "#version", VERSION, "#claimedAt", CLAIMED_AT,
            "#resultChunks", RESULT_CHUNKS, "#resultDigest", RESULT_DIGEST);

    static final String MARK_UNKNOWN_UPDATE = "SET #status = :unknown, #unknownAt = :unknownAt, #version = :nextVersion";
    static final Map<String, String> MARK_UNKNOWN_NAMES = Map.of(
            "#status", STATUS, "#version", VERSION, "#claimedAt", CLAIMED_AT, "#unknownAt", UNKNOWN_AT);

    /* Deleting is only ever giving back the caller's own claim: the upstream was certainly not reached. */
    static final Map<String, String> RELEASE_NAMES = Map.of(
            "#status", STATUS, "#version", VERSION, "#claimedAt", CLAIMED_AT);

    /* Exactly the chunks the record names: an attempt that was superseded may have left more after them. */
    static final String CHUNKS_KEY_CONDITION = "#pk = :pk AND #sk BETWEEN :firstChunk AND :lastChunk";
    static final Map<String, String> CHUNKS_NAMES = Map.of(
            "#pk", SessionTable.PARTITION_KEY,
            "#sk", SessionTable.SORT_KEY);

    private IdempotencyExpressions() {
    }
}
