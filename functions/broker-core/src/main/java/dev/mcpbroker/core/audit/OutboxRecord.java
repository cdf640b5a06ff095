package dev.mcpbroker.core.audit;

import java.util.Objects;

/**
 * One stored audit event as the forwarder receives it.
 *
 * @param chainKey      the event's chain (partition key on the stream)
 * @param sessionSeq    its place in the chain
 * @param canonicalJson the event as stored, published unchanged
 * @param position      where it came from (a stream record's sequence number), reported back when it failed
 */
public record OutboxRecord(String chainKey, long sessionSeq, String canonicalJson, String position) {

    public OutboxRecord {
        Objects.requireNonNull(chainKey, "chainKey");
        Objects.requireNonNull(canonicalJson, "canonicalJson");
        Objects.requireNonNull(position, "position");
    }

    /** Event contents are audit data: not for logs. */
    @Override
    public String toString() {
        return "OutboxRecord[" + chainKey + "#" + sessionSeq + " @" + position + "]";
    }
}
