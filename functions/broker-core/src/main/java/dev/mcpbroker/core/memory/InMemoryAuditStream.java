package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.audit.AuditPublisher;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AuditPublisher} in memory: records kept in the order they were put, each with its partition key. It can
 * refuse every record from the n-th on, as a stream refuses when its writer lost permission or it is throttled.
 */
public final class InMemoryAuditStream implements AuditPublisher {

    /** One record as put. */
    public record Record(String partitionKey, byte[] data) {
    }

    private final List<Record> records = new ArrayList<>();
    private long refuseFrom = Long.MAX_VALUE;

    @Override
    public synchronized String publish(String partitionKey, byte[] canonicalEvent, String afterSequenceNumber) {
        if (records.size() + 1 >= refuseFrom) {
            throw new PublishFailedException("the stream refused record " + (records.size() + 1), null);
        }
        records.add(new Record(partitionKey, canonicalEvent.clone()));
        return Long.toString(records.size());
    }

    /** Records from the {@code n}-th put on (counting those already taken, 1-based) are refused; 1 refuses all. */
    public synchronized void refuseFrom(long n) {
        this.refuseFrom = n;
    }

    /** Every record taken, in order. */
    public synchronized List<Record> records() {
        return List.copyOf(new ArrayList<>(records));
    }
}
