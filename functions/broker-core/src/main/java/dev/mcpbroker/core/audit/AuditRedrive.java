package dev.mcpbroker.core.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Re-sends what the forwarder never delivered: after it gave up on a batch (its dead-letter queue holds the batch's
 * description, not the events), the events still wait in the outbox. Each chain the {@link AuditBacklog} names is
 * read from the outbox in sequence order and handed to the same {@link AuditForwarder} the forwarder function uses,
 * so the events reach the stream exactly as the forwarder puts them there (partition key = chain key, the stored
 * canonical JSON, in order) and are then marked delivered.
 *
 * <p>A chain stops at its first event the stream refuses (nothing after it is sent, so the chain's order holds) and
 * at its first event younger than {@code minAge}: the forwarder may still be working on that one, and sending it here
 * too would only duplicate it. Sending twice is harmless otherwise (consumers deduplicate on chain key and sequence
 * number), but an event the forwarder gave up on arrives after its successors did: the verifier reports it as
 * reordered, and the gap it left as filled.
 */
public final class AuditRedrive {

    /** Events read from the outbox per round trip. */
    static final int PAGE = 100;

    /**
     * What a re-drive did.
     *
     * @param chains      chains the backlog named
     * @param redelivered events put on the stream and marked delivered
     * @param waiting     chains left to the forwarder: their next undelivered event is younger than the minimum age
     * @param stuck       chains that stopped at an event that could not be delivered or marked, in backlog order
     */
    public record Result(int chains, long redelivered, int waiting, List<Stuck> stuck) {
        public Result {
            stuck = List.copyOf(stuck);
        }
    }

    /**
     * A chain the re-drive could not finish.
     *
     * @param chainKey the chain (session id)
     * @param seq      its first event left undelivered
     * @param reason   why, for the operator
     */
    public record Stuck(String chainKey, long seq, String reason) {
    }

    private final AuditOutbox outbox;
    private final AuditBacklog backlog;
    private final AuditForwarder forwarder;
    private final Clock clock;
    private final AuditEventCodec codec = new AuditEventCodec();

    public AuditRedrive(AuditOutbox outbox, AuditBacklog backlog, AuditForwarder forwarder, Clock clock) {
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.backlog = Objects.requireNonNull(backlog, "backlog");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Re-sends every undelivered event recorded at least {@code minAge} ago, chain by chain.
     *
     * @throws dev.mcpbroker.core.error.StoreUnavailableException when the outbox or its backlog cannot be read
     */
    public Result redrive(Duration minAge) {
        Instant cutoff = clock.instant().minus(minAge);
        long redelivered = 0;
        int waiting = 0;
        List<Stuck> stuck = new ArrayList<>();
        var chains = backlog.chainsWithUndeliveredEvents();
        for (String chainKey : chains) {
            ChainResult result = redriveChain(chainKey, cutoff);
            redelivered += result.sent;
            if (result.waiting) {
                waiting++;
            }
            if (result.stuck != null) {
                stuck.add(result.stuck);
            }
        }
        return new Result(chains.size(), redelivered, waiting, stuck);
    }

    private record ChainResult(long sent, boolean waiting, Stuck stuck) {
    }

    private ChainResult redriveChain(String chainKey, Instant cutoff) {
        long sent = 0;
        long lastSent = 0;
        while (true) {
            List<AuditEvent> page = outbox.undelivered(chainKey, PAGE);
            if (page.isEmpty()) {
                return new ChainResult(sent, false, null);
            }
            if (page.get(0).sessionSeq() <= lastSent) {
                // Sent, yet still undelivered: marking failed, and sending it again would loop.
                return new ChainResult(sent, false, new Stuck(chainKey, page.get(0).sessionSeq(),
                        "on the stream, but could not be marked delivered in the outbox"));
            }
            List<OutboxRecord> due = new ArrayList<>(page.size());
            for (AuditEvent event : page) {
                if (event.time().isAfter(cutoff)) {
                    break;
                }
                due.add(new OutboxRecord(chainKey, event.sessionSeq(),
                        new String(codec.encode(event), StandardCharsets.UTF_8), Long.toString(event.sessionSeq())));
            }
            if (due.isEmpty()) {
                return new ChainResult(sent, true, null);
            }
            List<String> failed = forwarder.forward(due);
            if (!failed.isEmpty()) {
                long first = Long.parseLong(failed.get(0));
                sent += due.stream().filter(record -> record.sessionSeq() < first).count();
                return new ChainResult(sent, false, new Stuck(chainKey, first, "the audit stream refused it"));
            }
            sent += due.size();
            lastSent = due.get(due.size() - 1).sessionSeq();
            if (due.size() < page.size()) {
                return new ChainResult(sent, true, null);
            }
        }
    }
}
