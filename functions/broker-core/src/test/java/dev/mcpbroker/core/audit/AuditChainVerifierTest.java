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

    /** A chain of {@code n} decisions for {@code session} (no intents: chain integrity apart from pairing). */
    private List<AuditEvent> session(String session, int n) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEvent previous = null;
        for (int i = 1; i <= n; i++) {
            AuditEvent e = AuditEvents.allowed(session, session + "-" + i, T.plusSeconds(i));
            previous = previous == null ? chain.first(e) : chain.next(previous, e);
            events.add(previous);
        }
        return events;
    }

    /** A chain of calls for {@code session}: each an intent then its outcome, correlation ids req-1, req-2, ... */
    private List<AuditEvent> calls(String session, int calls) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEvent previous = null;
        for (int i = 1; i <= 2 * calls; i++) {
            String correlation = "req-" + ((i + 1) / 2);
            AuditEvent e = i % 2 == 1 ? AuditEvents.intent(session, session + "-" + i, T.plusSeconds(i), correlation)
                    : AuditEvents.outcome(session, session + "-" + i, T.plusSeconds(i), correlation);
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
        AuditEvent e = chain.first(AuditEvents.allowed("A", "A-1", T));
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

    @Test
    void everyIntentFollowedByItsOutcomeIsClean() {
        AuditChainReport report = AuditChainVerifier.verify(interleave(calls("A", 3), calls("B", 2)));
        assertThat(report.clean()).as(report.render()).isTrue();
    }

    @Test
    void anIntentWithoutItsOutcomeIsReportedWithItsSessionCorrelationAndEvent() {
        List<AuditEvent> a = calls("A", 3);
        List<AuditEvent> withoutSecondOutcome = new ArrayList<>();
        AuditEvent previous = null;
        for (AuditEvent e : a) {
            if (e.sessionSeq() == 4) {
                continue; // the outcome of req-2 was never recorded; the chain itself stays intact
            }
            AuditEvent unchained = e.kind() == AuditEvent.Kind.INTENT
                    ? AuditEvents.intent("A", e.eventId(), e.time(), e.correlationId())
                    : AuditEvents.outcome("A", e.eventId(), e.time(), e.correlationId());
            previous = previous == null ? chain.first(unchained) : chain.next(previous, unchained);
            withoutSecondOutcome.add(previous);
        }
        AuditChainReport report = AuditChainVerifier.verify(withoutSecondOutcome);
        assertThat(report.clean()).isFalse();
        assertThat(chainOf(report, "A").findings()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(Type.INTENT_WITHOUT_OUTCOME);
            assertThat(f.where()).isEqualTo("A");
            assertThat(f.seq()).isEqualTo(3);
            assertThat(f.detail()).contains("correlation req-2").contains("event A-3");
        });
        assertThat(report.render()).contains("session A:").contains("INTENT_WITHOUT_OUTCOME");
    }

    @Test
    void anOutcomeWithoutAnIntentBeforeItIsReported() {
        AuditEvent outcome = chain.first(AuditEvents.outcome("A", "A-1", T, "req-9"));
        assertThat(types(AuditChainVerifier.verify(List.of(outcome)), "A")).containsExactly(Type.OUTCOME_WITHOUT_INTENT);
    }

    @Test
    void aReusedCorrelationIdPairsEachOutcomeWithTheOldestOpenIntent() {
        List<AuditEvent> events = new ArrayList<>();
        AuditEvent previous = null;
        String[] kinds = {"I", "O", "I", "O", "I"}; // the same JSON-RPC id three times; the last call unanswered
        for (int i = 0; i < kinds.length; i++) {
            AuditEvent e = kinds[i].equals("I") ? AuditEvents.intent("A", "A-" + (i + 1), T.plusSeconds(i), "7")
                    : AuditEvents.outcome("A", "A-" + (i + 1), T.plusSeconds(i), "7");
            previous = previous == null ? chain.first(e) : chain.next(previous, e);
            events.add(previous);
        }
        assertThat(chainOf(AuditChainVerifier.verify(events), "A").findings()).singleElement()
                .satisfies(f -> assertThat(f.seq()).isEqualTo(5));
    }

    @Test
    void intentsRecordedAfterTheInFlightCutoffAreNotReportedWithoutTheirOutcome() {
        AuditEvent open = chain.first(AuditEvents.intent("A", "A-1", T.plusSeconds(60)));
        AuditChainVerifier verifier = new AuditChainVerifier(chain, false, T);
        verifier.accept(open);
        assertThat(verifier.report().clean()).isTrue();
        AuditChainVerifier strictCutoff = new AuditChainVerifier(chain, false, T.plusSeconds(61));
        strictCutoff.accept(open);
        assertThat(strictCutoff.report().clean()).isFalse();
    }

    @Test
    void aChainWhoseEventsStopBeforeItsHeadIsTruncated() {
        AuditChainVerifier verifier = new AuditChainVerifier();
        calls("A", 2).forEach(verifier::accept);
        calls("B", 2).forEach(verifier::accept);
        verifier.expectHeads(java.util.Map.of("A", 6L, "B", 4L, "C", 2L));
        AuditChainReport report = verifier.report();
        assertThat(report.clean()).isFalse();
        assertThat(chainOf(report, "A").findings()).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(Type.TRUNCATED);
            assertThat(f.seq()).isEqualTo(5);
            assertThat(f.detail()).contains("head in the outbox is at seq 6");
        });
        assertThat(types(report, "B")).isEmpty();
        assertThat(types(report, "C")).containsExactly(Type.TRUNCATED);
        assertThat(chainOf(report, "A").ok()).isEqualTo(4);
    }

    @Test
    void theSameEventFromTheArchiveConfirmsTheStreamsCopyButADifferentOneConflicts() {
        List<AuditEvent> a = calls("A", 2);
        AuditChainVerifier verifier = new AuditChainVerifier();
        a.forEach(e -> verifier.accept(e, "stream"));
        a.forEach(e -> verifier.accept(e, "archive"));
        AuditChainReport report = verifier.report();
        assertThat(report.clean()).isTrue();
        assertThat(chainOf(report, "A").findings()).isEmpty();
        assertThat(chainOf(report, "A").received()).isEqualTo(4);

        verifier.accept(chain.link(AuditEvents.denied("A", "forged", T), 2, a.get(0).hash()), "archive");
        assertThat(types(verifier.report(), "A")).containsExactly(Type.CONFLICT);
    }
}
