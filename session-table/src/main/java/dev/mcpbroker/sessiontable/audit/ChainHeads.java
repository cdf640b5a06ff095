package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What an instance believes about the heads of audit chains: the last one it saw per chain, learned from its own
 * appends, from a cancelled append, or read together with the session (the session store reads a session's head in
 * the same round trip as the session itself, so an append after a request that another instance served chains on
 * the current head instead of losing one transaction to learn it). Shared by the outbox and the session store of one
 * instance; a belief is only ever a starting point, the append's condition decides.
 */
public final class ChainHeads {

    /** What is believed about a chain's head; {@code stored} false means no head item exists. */
    record Head(long seq, String hash, boolean stored) {
        static final Head ABSENT = new Head(0, AuditChain.GENESIS, false);
    }

    /* Forgetting a chain only costs one extra round trip on its next append, so the memory is dropped wholesale. */
    static final int MAX_REMEMBERED_CHAINS = 10_000;

    private final Map<String, Head> lastSeen = new ConcurrentHashMap<>();

    /** The key of a chain's head item in the outbox table, to be read with the session (strongly consistent). */
    public static Map<String, AttributeValue> headKey(String chainKey) {
        return AuditOutboxRequests.key(chainKey, DynamoDbAuditOutbox.HEAD_SORT_KEY);
    }

    /**
     * The head item read with a session ({@code item} empty when the chain has none yet). A head older than one this
     * instance already saw is ignored: its own appends may have advanced the chain since the read began.
     */
    public void read(String chainKey, Map<String, AttributeValue> item) {
        Head read;
        try {
            read = headFrom(item);
        } catch (StoreUnavailableException malformed) {
            return; // the append will find out on its own; a read must not fail for it
        }
        lastSeen.compute(chainKey, (key, known) -> known == null || read.seq() >= known.seq() ? read : known);
        trim(chainKey);
    }

    Head believed(String chainKey) {
        return lastSeen.getOrDefault(chainKey, Head.ABSENT);
    }

    /** What this instance's own append (or its cancellation) showed; appends of a chain take turns in an instance. */
    void remember(String chainKey, Head head) {
        lastSeen.put(chainKey, head);
        trim(chainKey);
    }

    private void trim(String chainKey) {
        if (lastSeen.size() > MAX_REMEMBERED_CHAINS) {
            Head kept = lastSeen.get(chainKey);
            lastSeen.clear();
            if (kept != null) {
                lastSeen.put(chainKey, kept);
            }
        }
    }

    static Head headFrom(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return Head.ABSENT;
        }
        AttributeValue seq = item.get(AuditOutboxExpressions.SEQ);
        AttributeValue hash = item.get(AuditOutboxExpressions.HASH);
        if (seq == null || seq.n() == null || hash == null || hash.s() == null || !AuditEvent.HEX_256.matcher(hash.s()).matches()) {
            // Only the outbox writes heads; anything else in their place is not a head to chain on.
            throw DynamoDbAuditOutbox.malformed();
        }
        try {
            long n = Long.parseLong(seq.n());
            if (n < 1) {
                throw DynamoDbAuditOutbox.malformed();
            }
            return new Head(n, hash.s(), true);
        } catch (NumberFormatException e) {
            throw DynamoDbAuditOutbox.malformed();
        }
    }
}
