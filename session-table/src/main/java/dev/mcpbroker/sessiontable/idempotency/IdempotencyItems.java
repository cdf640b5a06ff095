package dev.mcpbroker.sessiontable.idempotency;

import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.AGENT_ID;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.CLAIMED_AT;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.FINGERPRINT;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.KEY;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.LEASE_UNTIL;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.SERVER_ID;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.STATUS;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.TENANT_ID;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.TOOL;
import static dev.mcpbroker.sessiontable.idempotency.IdempotencyExpressions.VERSION;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.sessiontable.SessionTable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Maps idempotency records to items and back. Layout, all in the state table:
 * <pre>
 *   pk idempotency#&lt;recordId&gt;  sk record       tenantId agentId serverId tool key fingerprint status
 *                                                 claimedAt leaseUntil (epoch ms) version expiresAt (epoch s)
 *                                                 [unknownAt (ms)] [result | resultGzip | resultChunks resultDigest]
 *   pk idempotency#&lt;recordId&gt;  sk result#0001  chunk expiresAt      (only for results too large even gzipped)
 * </pre>
 */
final class IdempotencyItems {

    static final String KIND = "idempotency#";
    static final AttributeValue RECORD_SORT_KEY = AttributeValue.fromS("record");
    static final String CHUNK_SORT_KEY_PREFIX = "result#";

    private IdempotencyItems() {
    }

    static Map<String, AttributeValue> key(String recordId) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + recordId),
                SessionTable.SORT_KEY, RECORD_SORT_KEY);
    }

    /** Chunks are numbered from 1, zero-padded so they sort in order. */
    static AttributeValue chunkSortKey(int number) {
        return AttributeValue.fromS(CHUNK_SORT_KEY_PREFIX + String.format("%04d", number));
    }

    static Map<String, AttributeValue> chunkKey(String recordId, int number) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + recordId),
                SessionTable.SORT_KEY, chunkSortKey(number));
    }

    /** A new claim: no result attributes yet. */
    static Map<String, AttributeValue> claimItem(IdempotencyRecord claim) {
        IdempotencyScope scope = claim.scope();
        Map<String, AttributeValue> item = new HashMap<>(key(claim.recordId()));
        item.put(TENANT_ID, AttributeValue.fromS(scope.tenantId()));
        item.put(AGENT_ID, AttributeValue.fromS(scope.agentId()));
        item.put(SERVER_ID, AttributeValue.fromS(scope.serverId()));
        item.put(TOOL, AttributeValue.fromS(scope.tool()));
        item.put(KEY, AttributeValue.fromS(scope.key()));
        item.put(FINGERPRINT, AttributeValue.fromS(claim.fingerprint()));
        item.put(STATUS, AttributeValue.fromS(claim.status().name()));
        item.put(CLAIMED_AT, millis(claim.claimedAt()));
        item.put(LEASE_UNTIL, millis(claim.leaseUntil()));
        item.put(VERSION, AttributeValue.fromN(Long.toString(claim.version())));
        item.put(SessionTable.TTL_ATTRIBUTE, seconds(claim.expiresAt()));
        return item;
    }

    /** The record an item holds, with {@code result} already resolved from whichever form it was stored in. */
    static IdempotencyRecord fromItem(Map<String, AttributeValue> item, String result) {
        try {
            return new IdempotencyRecord(
                    recordId(item),
                    new IdempotencyScope(string(item, TENANT_ID), string(item, AGENT_ID), string(item, SERVER_ID),
                            string(item, TOOL), string(item, KEY)),
                    string(item, FINGERPRINT),
                    IdempotencyRecord.Status.valueOf(string(item, STATUS)),
                    Instant.ofEpochMilli(number(item, CLAIMED_AT)),
                    Instant.ofEpochMilli(number(item, LEASE_UNTIL)),
                    result,
                    Instant.ofEpochSecond(number(item, SessionTable.TTL_ATTRIBUTE)),
                    number(item, VERSION));
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
    }

    static String recordId(Map<String, AttributeValue> item) {
        String pk = string(item, SessionTable.PARTITION_KEY);
        if (!pk.startsWith(KIND) || pk.length() == KIND.length()) {
            throw malformed();
        }
        return pk.substring(KIND.length());
    }

    static AttributeValue millis(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.toEpochMilli()));
    }

    static AttributeValue seconds(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.getEpochSecond()));
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.s() == null) {
            throw malformed();
        }
        return value.s();
    }

    static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            throw malformed();
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            throw malformed();
        }
    }

    /* Only this adapter writes these items: anything else in their place is not a record to act on. */
    static StoreUnavailableException malformed() {
        return new StoreUnavailableException("idempotency record is malformed", null);
    }
}
