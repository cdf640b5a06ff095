package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.audit.AuditChainReport.Finding;
import dev.mcpbroker.core.audit.AuditChainReport.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks audit events as read from the stream, in arrival order, sessions possibly interleaved, against the
 * {@link AuditChain} rule. Per session it reports {@link Type#GAP gaps}, {@link Type#DUPLICATE duplicates} and
 * {@link Type#CONFLICT conflicting duplicates}, {@link Type#REORDERED reordering} (a sequence number lower than one
 * already seen), {@link Type#TAMPERED tampering} (hash does not match content) and {@link Type#BROKEN_LINK broken
 * links} (previousHash is not the predecessor's hash), and how many events are fine.
 *
 * <p>It also pairs every {@link Type#INTENT_WITHOUT_OUTCOME INTENT with its OUTCOME} ({@link IntentOutcomePairing}),
 * and, given the chains' heads in the outbox ({@link #expectHeads}), reports chains whose events stop before their
 * head as {@link Type#TRUNCATED truncated}: a lost tail leaves no gap to see.
 *
 * <p>Feed it with {@link #accept} and {@link #acceptUndecodable}, then take {@link #report()}. Gaps and links are
 * judged on everything received, so an event that arrives late fills its gap (and is reported as reordered). Events
 * may come from several sources (the stream and its archive): the same event from another source confirms it rather
 * than being a duplicate. Only a few values per event are kept, not the events. Not thread-safe.
 */
public final class AuditChainVerifier {

    private static final String DEFAULT_SOURCE = "";

    private final AuditChain chain;
    private final boolean duplicatesAreProblems;
    private final Instant inFlightSince;
    private final Map<String, ChainState> chains = new LinkedHashMap<>();
    private final List<Finding> undecodable = new ArrayList<>();
    private final Map<String, Long> heads = new LinkedHashMap<>();

    /** Exact duplicates are reported but tolerated: Kinesis producers may deliver a record twice. */
    public AuditChainVerifier() {
        this(new AuditChain(), false);
    }

    public AuditChainVerifier(AuditChain chain, boolean duplicatesAreProblems) {
        this(chain, duplicatesAreProblems, null);
    }

    /**
     * @param inFlightSince intents recorded at or after this instant may still await their outcome and are not
     *                      reported without one; null reports every intent without an outcome
     */
    public AuditChainVerifier(AuditChain chain, boolean duplicatesAreProblems, Instant inFlightSince) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.duplicatesAreProblems = duplicatesAreProblems;
        this.inFlightSince = inFlightSince;
    }

    /** Verifies events given in arrival order with the default settings. */
    public static AuditChainReport verify(Iterable<AuditEvent> events) {
        AuditChainVerifier verifier = new AuditChainVerifier();
        events.forEach(verifier::accept);
        return verifier.report();
    }

    private record Entry(String hash, String previousHash, boolean intact, String source, IntentOutcomePairing.Step step) {
    }

    private static final class ChainState {
        final String key;
        final TreeMap<Long, Entry> bySeq = new TreeMap<>();
        final List<Finding> findings = new ArrayList<>();
        long received;
        long maxSeq;

        ChainState(String key) {
            this.key = key;
        }
    }

    /** The next event as it arrived. */
    public void accept(AuditEvent event) {
        accept(event, DEFAULT_SOURCE);
    }

    /**
     * The next event as it arrived from {@code source} (e.g. {@code stream}, {@code archive}); an identical event
     * already received from another source is a confirmation, not a duplicate.
     */
    public void accept(AuditEvent event, String source) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(source, "source");
        ChainState c = chains.computeIfAbsent(event.chainKey(), ChainState::new);
        Entry seen = event.chained() ? c.bySeq.get(event.sessionSeq()) : null;
        if (seen != null && !seen.source().equals(source) && seen.intact() && seen.hash().equals(event.hash())
                && chain.intact(event)) {
            return;
        }
        c.received++;
        if (!event.chained()) {
            c.findings.add(new Finding(Type.UNCHAINED, c.key, 0, "event " + event.eventId() + " has no sessionSeq or hashes"));
            return;
        }
        long seq = event.sessionSeq();
        boolean intact = chain.intact(event);
        Entry existing = c.bySeq.get(seq);
        if (existing != null) {
            if (intact && existing.intact() && existing.hash().equals(event.hash())) {
                c.findings.add(new Finding(Type.DUPLICATE, c.key, seq, "delivered again (identical, event " + event.eventId() + ")"));
            } else {
                c.findings.add(new Finding(Type.CONFLICT, c.key, seq, "a second, different event claims this position (event "
                        + event.eventId() + ", hash " + abbreviate(event.hash()) + " vs " + abbreviate(existing.hash()) + ")"));
            }
            return;
        }
        if (seq < c.maxSeq) {
            c.findings.add(new Finding(Type.REORDERED, c.key, seq, "arrived after seq " + c.maxSeq));
        }
        if (!intact) {
            c.findings.add(new Finding(Type.TAMPERED, c.key, seq, "hash does not match the content (event " + event.eventId()
                    + ", stored " + abbreviate(event.hash()) + ", computed " + abbreviate(chain.expectedHash(event)) + ")"));
        }
        c.bySeq.put(seq, new Entry(event.hash(), event.previousHash(), intact, source, IntentOutcomePairing.Step.of(event)));
        c.maxSeq = Math.max(c.maxSeq, seq);
    }

    /** A record that could not be decoded; {@code where} locates it (e.g. shard and sequence number). */
    public void acceptUndecodable(String where, String reason) {
        undecodable.add(new Finding(Type.UNDECODABLE, where, 0, reason));
    }

    /**
     * The chains' heads as the outbox holds them (chain key to the sequence number of its last stored event): a chain
     * whose events stop before its head, or of which nothing arrived, is {@link Type#TRUNCATED}.
     */
    public void expectHeads(Map<String, Long> chainHeads) {
        heads.putAll(chainHeads);
        chainHeads.keySet().forEach(key -> chains.computeIfAbsent(key, ChainState::new));
    }

    /** The verdict on everything accepted so far. */
    public AuditChainReport report() {
        List<AuditChainReport.Chain> result = new ArrayList<>(chains.size());
        for (ChainState c : chains.values()) {
            List<Finding> findings = new ArrayList<>(c.findings);
            findings.addAll(IntentOutcomePairing.findings(c.key,
                    c.bySeq.values().stream().map(Entry::step).toList(), inFlightSince));
            Long head = heads.get(c.key);
            long last = c.bySeq.isEmpty() ? 0 : c.bySeq.lastKey();
            if (head != null && last < head) {
                findings.add(new Finding(Type.TRUNCATED, c.key, last + 1, last == 0
                        ? "no event of this chain arrived; its head in the outbox is at seq " + head
                        : "events after seq " + last + " missing: the chain's head in the outbox is at seq " + head
                                + " (" + (head - last) + " event(s))"));
            }
            long expected = 1;
            for (Map.Entry<Long, Entry> e : c.bySeq.entrySet()) {
                long seq = e.getKey();
                if (seq > expected) {
                    findings.add(new Finding(Type.GAP, c.key, expected, seq - 1 == expected
                            ? "seq " + expected + " missing" : "seq " + expected + ".." + (seq - 1) + " missing (" + (seq - expected) + " events)"));
                }
                expected = seq + 1;
                String previousHash = e.getValue().previousHash();
                if (seq == 1) {
                    if (!AuditChain.GENESIS.equals(previousHash)) {
                        findings.add(new Finding(Type.BROKEN_LINK, c.key, seq, "first event does not start from GENESIS"));
                    }
                } else {
                    Entry before = c.bySeq.get(seq - 1);
                    if (before != null && !before.hash().equals(previousHash)) {
                        findings.add(new Finding(Type.BROKEN_LINK, c.key, seq, "previousHash is not the hash of seq "
                                + (seq - 1) + " (" + abbreviate(previousHash) + " vs " + abbreviate(before.hash())
                                + "): seq " + (seq - 1) + " or this event was replaced"));
                    }
                }
            }
            Set<Long> affected = new HashSet<>();
            for (Finding f : findings) {
                if (f.type() != Type.DUPLICATE && f.type() != Type.GAP && f.type() != Type.UNCHAINED
                        && f.type() != Type.TRUNCATED) {
                    affected.add(f.seq());
                }
            }
            long ok = c.bySeq.keySet().stream().filter(seq -> !affected.contains(seq)).count();
            findings.sort(Comparator.comparingLong(Finding::seq).thenComparing(Finding::type));
            result.add(new AuditChainReport.Chain(c.key, c.received, c.bySeq.size(), ok,
                    c.bySeq.isEmpty() ? 0 : c.bySeq.firstKey(), c.bySeq.isEmpty() ? 0 : c.bySeq.lastKey(), findings));
        }
        return new AuditChainReport(result, undecodable, duplicatesAreProblems);
    }

    private static String abbreviate(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length())) + "...";
    }
}
