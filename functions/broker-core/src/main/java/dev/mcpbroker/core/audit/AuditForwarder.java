package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.telemetry.BrokerMetrics;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * verifier recognises as exact duplicates: nothing is lost, nothing is reordered. Each batch reports how
 * many events it delivered and how long the oldest of them had waited (the delivery lag), and how many it
 * could not deliver.
 */
public final class AuditForwarder {

    private static final System.Logger LOG = System.getLogger(AuditForwarder.class.getName());

    private final AuditPublisher publisher;
    private final AuditOutbox outbox;
    private final AuditEventCodec codec = new AuditEventCodec();
    private final BrokerMetrics metrics;
    private final Clock clock;

    /** A forwarder that reports no metrics. */
    public AuditForwarder(AuditPublisher publisher, AuditOutbox outbox) {
        this(publisher, outbox, BrokerMetrics.NONE, Clock.systemUTC());
    }

    /**
     * @param outbox  where delivered events are marked, so the outbox's backlog shows only what is left
     * @param metrics where delivery and its lag are reported
     * @param clock   against which an event's age is measured
     */
    public AuditForwarder(AuditPublisher publisher, AuditOutbox outbox, BrokerMetrics metrics, Clock clock) {
        this.publisher = Objects.requireNonNull(publisher);
        this.outbox = Objects.requireNonNull(outbox);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Publishes a batch; returns the positions of the records that must be offered again. */
    public List<String> forward(List<OutboxRecord> batch) {
        Map<String, List<OutboxRecord>> chains = new LinkedHashMap<>();
        for (OutboxRecord record : batch) {
            chains.computeIfAbsent(record.chainKey(), k -> new ArrayList<>()).add(record);
        }
        List<String> failed = new ArrayList<>();
        long delivered = 0;
        Instant oldest = null;
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
                delivered++;
                Instant recorded = markDelivered(record);
                if (recorded != null && (oldest == null || recorded.isBefore(oldest))) {
                    oldest = recorded;
                }
            }
        }
        if (delivered > 0) {
            Duration lag = oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
            metrics.auditEventsForwarded(delivered, lag.isNegative() ? Duration.ZERO : lag);
        }
        if (!failed.isEmpty()) {
            metrics.auditDeliveryFailed(failed.size());
        }
        return failed;
    }

    /** Marks a published event delivered; returns when it was recorded, or null when it could not be read. */
    private Instant markDelivered(OutboxRecord record) {
        AuditEvent event;
        try {
            event = codec.decode(record.canonicalJson().getBytes(StandardCharsets.UTF_8));
            outbox.markDelivered(event);
        } catch (RuntimeException e) {
            // Bookkeeping only: the event is on the stream; the outbox backlog overstates by one.
            LOG.log(Level.INFO, "could not mark " + record + " delivered: " + e.getMessage());
            return null;
        }
        return event.time();
    }
}
