package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.audit.AuditChainReport.Finding;
import dev.mcpbroker.core.audit.AuditChainReport.Type;
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
 * <p>Feed it with {@link #accept} and {@link #acceptUndecodable}, then take {@link #report()}. Gaps and links are
 * judged on everything received, so an event that arrives late fills its gap (and is reported as reordered). Only a
 * few values per event are kept, not the events. Not thread-safe.
 */
public final class AuditChainVerifier {

    private final AuditChain chain;
    private final boolean duplicatesAreProblems;
    private final Map<String, ChainState> chains = new LinkedHashMap<>();
    private final List<Finding> undecodable = new ArrayList<>();

    /** Exact duplicates are reported but tolerated: Kinesis producers may deliver a record twice. */
    public AuditChainVerifier() {
        this(new AuditChain(), false);
    }

    public AuditChainVerifier(AuditChain chain, boolean duplicatesAreProblems) {
        this.chain = Objects.requireNonNull(chain, "chain");
        this.duplicatesAreProblems = duplicatesAreProblems;
    }

    /** Verifies events given in arrival order with the default settings. */
    public static AuditChainReport verify(Iterable<AuditEvent> events) {
        AuditChainVerifier verifier = new AuditChainVerifier();
        events.forEach(verifier::accept);
        return verifier.report();
    }

    private record Entry(String hash, String previousHash, boolean intact) {
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
        Objects.requireNonNull(event, "event");
        ChainState c = chains.computeIfAbsent(event.chainKey(), ChainState::new);
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
        c.bySeq.put(seq, new Entry(event.hash(), event.previousHash(), intact));
        c.maxSeq = Math.max(c.maxSeq, seq);
    }

    /** A record that could not be decoded; {@code where} locates it (e.g. shard and sequence number). */
    public void acceptUndecodable(String where, String reason) {
        undecodable.add(new Finding(Type.UNDECODABLE, where, 0, reason));
    }

    /** The verdict on everything accepted so far. */
    public AuditChainReport report() {
        List<AuditChainReport.Chain> result = new ArrayList<>(chains.size());
        for (ChainState c : chains.values()) {
            List<Finding> findings = new ArrayList<>(c.findings);
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
                if (f.type() != Type.DUPLICATE && f.type() != Type.GAP && f.type() != Type.UNCHAINED) {
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
