package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditChainReport.Finding;
import dev.mcpbroker.core.audit.AuditChainReport.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainVerifierTest {

    private static final Instant T = Instant.parse("2025-06-18T09:30:00Z");
    private final AuditChain chain = new AuditChain();

    /** A chain of {@code n} events for {@code session}: intent, outcome, intent, outcome, ... */
    private List<AuditEvent> session(String session, int n) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEvent previous = null;
        for (int i = 1; i <= n; i++) {
            AuditEvent e = i % 2 == 1 ? AuditEvents.intent(session, session + "-" + i, T.plusSeconds(i))
                    : AuditEvents.outcome(session, session + "-" + i, T.plusSeconds(i));
            previous = previous == null ? chain.first(e) : chain.next(previous, e);
            events.add(previous);
        }
        return events;
    }

    private static List<AuditEvent> interleave(List<AuditEvent> a, List<AuditEvent> b) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < a.size()) {
                out.add(a.get(i));
            }
            if (i < b.size()) {
                out.add(b.get(i));
            }
        }
        return out;
    }

    private static List<Type> types(AuditChainReport report, String chainKey) {
        return report.chains().stream().filter(c -> c.chainKey().equals(chainKey)).findFirst().orElseThrow()
                .findings().stream().map(Finding::type).toList();
    }

    private static AuditChainReport.Chain chainOf(AuditChainReport report, String chainKey) {
        return report.chains().stream().filter(c -> c.chainKey().equals(chainKey)).findFirst().orElseThrow();
    }

    @Test
    void interleavedIntactSessionsAreClean() {
        AuditEvent sessionless = chain.first(AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("x").time(T)
                .decision(AuditEvent.Decision.DENIED).reason("token_expired").build());
        List<AuditEvent> events = interleave(session("A", 5), session("B", 4));
        events.add(sessionless);
        AuditChainReport report = AuditChainVerifier.verify(events);

        assertThat(report.clean()).isTrue();
        assertThat(report.received()).isEqualTo(10);
        assertThat(report.ok()).isEqualTo(10);
        assertThat(chainOf(report, "A").ok()).isEqualTo(5);
        assertThat(chainOf(report, "B").lastSeq()).isEqualTo(4);
        assertThat(report.render()).startsWith("audit chain verification: CLEAN\n")
                .contains("2 session(s), 1 event(s) without a session, 10 event(s) received, 10 ok")
                .contains("session A: 5 event(s), seq 1..5, 5 ok, clean")
                .contains("without a session: 1 event(s), 1 ok, clean");
    }

    @Test
    void aMissingEventIsAGap() {
        List<AuditEvent> a = session("A", 6);
        a.remove(3); // seq 4
        a.remove(2); // seq 3
        AuditChainReport report = AuditChainVerifier.verify(interleave(a, session("B", 3)));
        assertThat(report.clean()).isFalse();
        assertThat(types(report, "A")).containsExactly(Type.GAP);
        assertThat(types(report, "B")).isEmpty();
        assertThat(chainOf(report, "A").ok()).isEqualTo(4);
        assertThat(report.render()).contains("GAP         seq 3: seq 3..4 missing (2 events)");
    }

    @Test
    void aMissingFirstEventIsAGap() {
        List<AuditEvent> a = session("A", 3);
        a.remove(0);
        assertThat(types(AuditChainVerifier.verify(a), "A")).containsExactly(Type.GAP);
    }

    @Test
    void anEventArrivingLateIsReorderedNotAGap() {
        List<AuditEvent> a = session("A", 4);
        AuditEvent third = a.remove(2);
        a.add(third); // 1, 2, 4, 3
        AuditChainReport report = AuditChainVerifier.verify(a);
        assertThat(report.problems()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(Type.REORDERED);
            assertThat(f.seq()).isEqualTo(3);
            assertThat(f.detail()).isEqualTo("arrived after seq 4");
        });
        assertThat(chainOf(report, "A").ok()).isEqualTo(3);
    }

    @Test
    void exactDuplicatesAreReportedAndToleratedUnlessStrict() {
        List<AuditEvent> a = session("A", 3);
        a.add(a.get(1));
        AuditChainReport tolerant = AuditChainVerifier.verify(a);
        assertThat(types(tolerant, "A")).containsExactly(Type.DUPLICATE);
        assertThat(tolerant.clean()).isTrue();
        assertThat(chainOf(tolerant, "A").ok()).isEqualTo(3);
        assertThat(tolerant.render()).contains("DUPLICATE   seq 2: delivered again").contains("(tolerated: at-least-once delivery)");

        AuditChainVerifier strict = new AuditChainVerifier(chain, true);
        a.forEach(strict::accept);
        assertThat(strict.report().clean()).isFalse();
    }

    @Test
    void aDifferentEventAtTheSamePositionIsAConflict() {
        List<AuditEvent> a = session("A", 3);
        a.add(chain.link(AuditEvents.denied("A", "forged", T), 2, a.get(0).hash()));
        AuditChainReport report = AuditChainVerifier.verify(a);
        assertThat(types(report, "A")).containsExactly(Type.CONFLICT);
        assertThat(report.clean()).isFalse();
    }

    @Test
    void alteredContentIsTampering() {
        List<AuditEvent> a = session("A", 3);
        AuditEvent e = a.get(1);
        a.set(1, new AuditEvent(e.eventId(), e.kind(), e.time(), "someone-else", e.tenantId(), e.onBehalfOf(), e.sessionId(),
                e.serverId(), e.method(), e.tool(), e.argumentFingerprint(), e.decision(), e.reason(), e.outcomeClass(),
                e.upstreamLatencyMillis(), e.idempotencyKey(), e.traceId(), e.correlationId(), e.sessionSeq(),
                e.previousHash(), e.hash()));
        AuditChainReport report = AuditChainVerifier.verify(a);
        assertThat(report.problems()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(Type.TAMPERED);
            assertThat(f.seq()).isEqualTo(2);
        });
        assertThat(chainOf(report, "A").ok()).isEqualTo(2);
    }

    @Test
    void aReplacedEventWithARecomputedHashBreaksTheNextLink() {
        List<AuditEvent> a = session("A", 3);
        a.set(1, chain.link(AuditEvents.denied("A", "A-2", T), 2, a.get(0).hash()));
        AuditChainReport report = AuditChainVerifier.verify(a);
        assertThat(report.problems()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(Type.BROKEN_LINK);
            assertThat(f.seq()).isEqualTo(3);
        });
    }

    @Test
    void aFirstEventNotStartingFromGenesisIsABrokenLink() {
        AuditEvent e = chain.first(AuditEvents.intent("A", "A-1", T));
        AuditEvent forged = new AuditEvent(e.eventId(), e.kind(), e.time(), e.agentId(), e.tenantId(), e.onBehalfOf(),
                e.sessionId(), e.serverId(), e.method(), e.tool(), e.argumentFingerprint(), e.decision(), e.reason(),
                e.outcomeClass(), e.upstreamLatencyMillis(), e.idempotencyKey(), e.traceId(), e.correlationId(), 1,
                "b".repeat(64), e.hash());
        assertThat(types(AuditChainVerifier.verify(List.of(forged)), "A")).containsExactlyInAnyOrder(Type.TAMPERED, Type.BROKEN_LINK);
    }

    @Test
    void undecodableAndUnchainedRecordsAreProblems() {
        AuditChainVerifier verifier = new AuditChainVerifier();
        session("A", 2).forEach(verifier::accept);
        verifier.accept(AuditEvents.intent("A", "loose", T));
        verifier.acceptUndecodable("shardId-000000000000/4959", "not JSON");
        AuditChainReport report = verifier.report();
        assertThat(report.problems()).extracting(Finding::type).containsExactly(Type.UNCHAINED, Type.UNDECODABLE);
        assertThat(report.render()).contains("undecodable records:\n  UNDECODABLE shardId-000000000000/4959: not JSON");
    }
}
