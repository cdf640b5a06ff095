package dev.mcpbroker.core.audit;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Moves audit events from the outbox to the audit stream, in order per chain. When a record is not taken,
 * it and every later record of its chain are reported failed, so they are offered again in order; other
 * chains carry on. Records offered twice (after a partial failure) reach the stream twice, which the chain
 * verifier recognises as exact duplicates: nothing is lost, nothing is reordered.
 */
public final class AuditForwarder {

    private static final System.Logger LOG = System.getLogger(AuditForwarder.class.getName());

    private final AuditPublisher publisher;
    private final AuditOutbox outbox;
    private final AuditEventCodec codec = new AuditEventCodec();

    /**
     * @param outbox where delivered events are marked, so the outbox's backlog shows only what is left
     */
    public AuditForwarder(AuditPublisher publisher, AuditOutbox outbox) {
        this.publisher = Objects.requireNonNull(publisher);
        this.outbox = Objects.requireNonNull(outbox);
    }

    /** Publishes a batch; returns the positions of the records that must be offered again. */
    public List<String> forward(List<OutboxRecord> batch) {
        Map<String, List<OutboxRecord>> chains = new LinkedHashMap<>();
        for (OutboxRecord record : batch) {
            chains.computeIfAbsent(record.chainKey(), k -> new ArrayList<>()).add(record);
        }
        List<String> failed = new ArrayList<>();
        for (List<OutboxRecord> chain : chains.values()) {
            chain.sort(Comparator.comparingLong(OutboxRecord::sessionSeq));
            String previous = null;
            for (int i = 0; i < chain.size(); i++) {
                OutboxRecord record = chain.get(i);
                try {
                    previous = publisher.publish(record.chainKey(), record.canonicalJson().getBytes(StandardCharsets.UTF_8), previous);
                } catch (AuditPublisher.PublishFailedException e) {
                    LOG.log(Level.WARNING, "audit stream refused " + record + ": " + e.getMessage());
                    chain.subList(i, chain.size()).forEach(later -> failed.add(later.position()));
                    break;
                }
                markDelivered(record);
            }
        }
        return failed;
    }

    private void markDelivered(OutboxRecord record) {
        try {
            outbox.markDelivered(codec.decode(record.canonicalJson().getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            // Bookkeeping only: the event is on the stream; the outbox backlog overstates by one.
            LOG.log(Level.INFO, "could not mark " + record + " delivered: " + e.getMessage());
        }
    }
}
