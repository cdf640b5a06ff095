package dev.mcpbroker.core.audit;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AuditChainVerifier} found: one {@link Chain} per session (and per sessionless event) in the order the
 * chains were first seen, and the records that were not audit events at all.
 *
 * @param chains                every chain seen
 * @param undecodable           records that could not be read as audit events ({@link Type#UNDECODABLE})
 * @param duplicatesAreProblems whether an exact re-delivery ({@link Type#DUPLICATE}) makes the report unclean;
 *                              Kinesis delivers at least once, so by default it does not
 */
public record AuditChainReport(List<Chain> chains, List<Finding> undecodable, boolean duplicatesAreProblems) {

    public AuditChainReport {
        chains = List.copyOf(chains);
        undecodable = List.copyOf(undecodable);
    }

    /** Kinds of findings. */
    public enum Type {
        /** Sequence numbers missing between 1 and the highest one seen. */
        GAP,
        /** An event arrived after an event with a higher sequence number of the same session. */
        REORDERED,
        /** The same event (same sequence number, same hash, intact) was delivered again. */
        DUPLICATE,
        /** Two different events claim the same sequence number. */
        CONFLICT,
        /** The event's hash does not match its content: it was altered after it was chained. */
        TAMPERED,
        /** The event's previousHash is not the hash of the event before it (or not GENESIS at seq 1). */
        BROKEN_LINK,
        /** An event without a place in a chain (sessionSeq 0): it should never have been published. */
        UNCHAINED,
        /** A record that is not a valid audit event. */
        UNDECODABLE,
        /** An INTENT whose OUTCOME is not in the trail: the call's result is unrecorded (or the outcome was lost). */
        INTENT_WITHOUT_OUTCOME,
        /** An OUTCOME with no INTENT before it in its chain. */
        OUTCOME_WITHOUT_INTENT,
        /** The chain's delivered events stop before its head in the outbox: its last events never arrived. */
        TRUNCATED
    }

    /**
     * One finding.
     *
     * @param type     what was found
     * @param where    the chain key (session id), or for {@link Type#UNDECODABLE} the record's location
     * @param seq      the sequence number concerned (the first one, for a {@link Type#GAP}); 0 if none
     * @param detail   a sentence for the operator
     */
    public record Finding(Type type, String where, long seq, String detail) {
        public Finding {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(where, "where");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The verdict on one chain.
     *
     * @param chainKey the session id, or {@code no-session:<eventId>}
     * @param received records received, duplicates included
     * @param distinct distinct sequence numbers received
     * @param ok       distinct events with no finding at their position: intact, in order, and linked to their
     *                 predecessor where that was received (the link of an event right after a gap cannot be
     *                 checked; the gap is the finding)
     * @param firstSeq lowest sequence number seen (0 if none)
     * @param lastSeq  highest sequence number seen (0 if none)
     * @param findings in sequence order
     */
    public record Chain(String chainKey, long received, long distinct, long ok, long firstSeq, long lastSeq,
                        List<Finding> findings) {
        public Chain {
            findings = List.copyOf(findings);
        }

        public boolean sessionless() {
            return chainKey.startsWith(AuditEvent.NO_SESSION_PREFIX);
        }

        /** Findings that make the report unclean. */
        public List<Finding> problems(boolean duplicatesAreProblems) {
            return findings.stream().filter(f -> duplicatesAreProblems || f.type() != Type.DUPLICATE).toList();
        }
    }

    /** Every finding that makes the report unclean. */
    public List<Finding> problems() {
        List<Finding> chainProblems = chains.stream().flatMap(c -> c.problems(duplicatesAreProblems).stream()).toList();
        return java.util.stream.Stream.concat(chainProblems.stream(), undecodable.stream()).toList();
    }

    /** No gaps, reordering, conflicts, tampering, broken links or unreadable records. */
    public boolean clean() {
        return problems().isEmpty();
    }

    /** Records received, duplicates included (undecodable ones excluded). */
    public long received() {
        return chains.stream().mapToLong(Chain::received).sum();
    }

    public long ok() {
        return chains.stream().mapToLong(Chain::ok).sum();
    }

    /** The report for an operator's terminal. */
    public String render() {
        StringBuilder out = new StringBuilder();
        List<Finding> problems = problems();
        long sessions = chains.stream().filter(c -> !c.sessionless()).count();
        long sessionless = chains.size() - sessions;
        out.append("audit chain verification: ").append(problems.isEmpty() ? "CLEAN" : "PROBLEMS (" + problems.size() + ")")
                .append('\n');
        out.append("  ").append(sessions).append(" session(s), ").append(sessionless).append(" event(s) without a session, ")
                .append(received()).append(" event(s) received, ").append(ok()).append(" ok");
        if (!undecodable.isEmpty()) {
            out.append(", ").append(undecodable.size()).append(" undecodable record(s)");
        }
        out.append('\n');
        long sessionlessReceived = 0;
        long sessionlessOk = 0;
        for (Chain c : chains) {
            if (c.sessionless() && c.findings().isEmpty()) {
                sessionlessReceived += c.received();
                sessionlessOk += c.ok();
                continue;
            }
            out.append(c.sessionless() ? "event " : "session ").append(c.chainKey()).append(": ")
                    .append(c.received()).append(" event(s), seq ").append(c.firstSeq()).append("..").append(c.lastSeq())
                    .append(", ").append(c.ok()).append(" ok");
            List<Finding> chainProblems = c.problems(duplicatesAreProblems);
            out.append(chainProblems.isEmpty() ? ", clean" : ", " + chainProblems.size() + " problem(s)").append('\n');
            for (Finding f : c.findings()) {
                appendFinding(out, f, f.type() == Type.DUPLICATE && !duplicatesAreProblems);
            }
        }
        if (sessionlessReceived > 0) {
            out.append("without a session: ").append(sessionlessReceived).append(" event(s), ").append(sessionlessOk)
                    .append(" ok, clean\n");
        }
        if (!undecodable.isEmpty()) {
            out.append("undecodable records:\n");
            undecodable.forEach(f -> appendFinding(out, f, false));
        }
        return out.toString();
    }

    private static void appendFinding(StringBuilder out, Finding f, boolean tolerated) {
        out.append("  ").append(String.format("%-11s ", f.type().name()));
        if (f.type() != Type.UNDECODABLE) {
            out.append("seq ").append(f.seq()).append(": ");
        } else {
            out.append(f.where()).append(": ");
        }
        out.append(f.detail());
        if (tolerated) {
            out.append(" (tolerated: at-least-once delivery)");
        }
        out.append('\n');
    }
}
