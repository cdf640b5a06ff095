package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.audit.AuditBacklog;
import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditOutbox} does: each session's events form one chain numbered 1..n, each linked to its
 * predecessor by hash, without gaps or forks however many threads append; an event without a session is a chain of
 * one; an event already chained is refused; undelivered lists a chain's unmarked events in order, up to a limit; the
 * {@link AuditBacklog} names every chain with an unmarked event and no other. Sessions are random per test.
 */
public abstract class AuditOutboxContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final AuditChain CHAIN = new AuditChain();

    private AuditOutbox outbox;
    private final String session = "s-" + UUID.randomUUID();

    protected abstract AuditOutbox newOutbox();

    /** The backlog over the same store as {@code outbox}. */
    protected abstract AuditBacklog backlogOf(AuditOutbox outbox);

    @BeforeEach
    void openOutbox() {
        outbox = newOutbox();
    }

    /** An unchained event as the request path builds it: an INTENT (odd n) or its OUTCOME (even n). */
    private static AuditEvent event(String sessionId, int n) {
        boolean outcome = n % 2 == 0;
        return AuditEvent.builder(outcome ? AuditEvent.Kind.OUTCOME : AuditEvent.Kind.INTENT)
                .eventId(UUID.randomUUID().toString()).time(T0.plusMillis(n)).agentId("agent-a").tenantId("tenant-1")
                .onBehalfOf("alice@example.com").sessionId(sessionId).serverId("payments").method("tools/call")
                .tool("transfer").argumentFingerprint("f".repeat(64))
                .outcomeClass(outcome ? AuditEvent.OutcomeClass.OK : null)
                .upstreamLatencyMillis(outcome ? (long) n : null)
                .idempotencyKey("key-" + n).traceId("trace-" + n).correlationId("req-" + n).build();
    }

    private static AuditEvent sessionless(int n) {
        return AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(UUID.randomUUID().toString()).time(T0.plusMillis(n))
                .serverId("payments").method("initialize").decision(AuditEvent.Decision.DENIED).reason("unauthenticated")
                .correlationId("req-" + n).build();
    }

    private List<AuditEvent> appendAll(String sessionId, int count) {
        List<AuditEvent> appended = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            appended.add(outbox.append(event(sessionId, n)));
        }
        return appended;
    }

    /** Sequence numbers 1..n in order, GENESIS first, every event linked to the one before and intact. */
    private static void assertOneChain(List<AuditEvent> chain) {
        assertThat(chain).extracting(AuditEvent::sessionSeq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, chain.size()).boxed().toList());
        assertThat(chain.get(0).previousHash()).isEqualTo(AuditChain.GENESIS);
        for (int i = 1; i < chain.size(); i++) {
            assertThat(chain.get(i).previousHash()).as("link of event %d", i + 1).isEqualTo(chain.get(i - 1).hash());
        }
        assertThat(chain).allSatisfy(event -> assertThat(CHAIN.intact(event)).as("hash of %s", event.sessionSeq()).isTrue());
    }

    @Test
    void appendsToOneSessionAreNumberedOneToNAndLinkedByHash() {
        List<AuditEvent> given = new ArrayList<>();
        List<AuditEvent> appended = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            AuditEvent unchained = event(session, n);
            given.add(unchained);
            appended.add(outbox.append(unchained));
        }

        assertOneChain(appended);
        assertThat(appended).extracting(AuditEvent::chainKey).containsOnly(session);
        assertThat(appended).extracting(AuditEvent::unchained).as("only the chain fields were set").isEqualTo(given);
    }

    @Test
    void eventsAppendedTogetherTakeConsecutivePlacesAfterTheChainsHead() {
        AuditEvent first = outbox.append(event(session, 1));
        AuditEvent intent = event(session, 3);
        AuditEvent outcome = event(session, 4);

        List<AuditEvent> together = outbox.appendAll(List.of(intent, outcome));

        assertThat(together).extracting(AuditEvent::unchained).containsExactly(intent, outcome);
        List<AuditEvent> chain = new ArrayList<>(List.of(first));
        chain.addAll(together);
        assertOneChain(chain);
        assertThat(outbox.undelivered(session, 10)).isEqualTo(chain);
    }

    @Test
    void eventsAppendedTogetherMayStartAChain() {
        List<AuditEvent> together = outbox.appendAll(List.of(event(session, 1), event(session, 2)));

        assertOneChain(together);
        assertThat(outbox.append(event(session, 3)).sessionSeq()).isEqualTo(3);
    }

    @Test
    void eventsOfDifferentSessionsOrAlreadyChainedAreNotAppendedTogether() {
        AuditEvent chained = outbox.append(event(session, 1));

        assertThatThrownBy(() -> outbox.appendAll(List.of(event(session, 2), event("s-" + UUID.randomUUID(), 3))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> outbox.appendAll(List.of(chained))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> outbox.appendAll(List.of(sessionless(4)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(outbox.undelivered(session, 10)).containsExactly(chained);
    }

    @Test
    void chainsOfDifferentSessionsAreNumberedIndependently() {
        String other = "s-" + UUID.randomUUID();
        List<AuditEvent> mine = new ArrayList<>();
        List<AuditEvent> theirs = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            mine.add(outbox.append(event(session, n)));
            theirs.add(outbox.append(event(other, n)));
        }

        assertOneChain(mine);
        assertOneChain(theirs);
        assertThat(outbox.undelivered(session, 10)).isEqualTo(mine);
        assertThat(outbox.undelivered(other, 10)).isEqualTo(theirs);
    }

    @Test
    void anEventWithoutASessionIsAChainOfOne() {
        AuditEvent first = outbox.append(sessionless(1));
        AuditEvent second = outbox.append(sessionless(2));

        for (AuditEvent alone : List.of(first, second)) {
            assertThat(alone.sessionSeq()).isEqualTo(1);
            assertThat(alone.previousHash()).isEqualTo(AuditChain.GENESIS);
            assertThat(CHAIN.intact(alone)).isTrue();
            assertThat(alone.chainKey()).isEqualTo(AuditEvent.NO_SESSION_PREFIX + alone.eventId());
            assertThat(outbox.undelivered(alone.chainKey(), 10)).containsExactly(alone);
        }
    }

    @Test
    void appendingTheSameSessionlessEventAgainGivesItNoSecondPlace() {
        AuditEvent unchained = sessionless(1);
        AuditEvent first = outbox.append(unchained);

        assertThat(outbox.append(unchained)).isEqualTo(first);

        assertThat(outbox.undelivered(first.chainKey(), 10)).containsExactly(first);
    }

    @Test
    void anotherSessionlessEventUnderATakenEventIdIsRefusedAsNotStored() {
        AuditEvent first = outbox.append(sessionless(1));
        AuditEvent impostor = AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(first.eventId()).time(T0.plusSeconds(9))
                .method("tools/list").decision(AuditEvent.Decision.DENIED).reason("forbidden").build();

        assertThatThrownBy(() -> outbox.append(impostor)).isInstanceOf(StoreUnavailableException.class);

        assertThat(outbox.undelivered(first.chainKey(), 10)).containsExactly(first);
    }

    @Test
    void appendingAnAlreadyChainedEventIsRefusedAndStoresNothing() {
        AuditEvent chained = CHAIN.first(event(session, 1));

        assertThatThrownBy(() -> outbox.append(chained)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> outbox.append(CHAIN.first(sessionless(1)))).isInstanceOf(IllegalArgumentException.class);

        assertThat(outbox.undelivered(session, 10)).isEmpty();
        assertThat(outbox.append(event(session, 2)).sessionSeq()).as("the chain still starts at 1").isEqualTo(1);
    }

    @Test
    void undeliveredListsTheChainsEventsInSequenceOrderEqualToWhatWasAppended() {
        List<AuditEvent> appended = appendAll(session, 5);

        assertThat(outbox.undelivered(session, 10)).isEqualTo(appended);
    }

    @Test
    void undeliveredStopsAtTheLimitFromTheOldest() {
        List<AuditEvent> appended = appendAll(session, 5);

        assertThat(outbox.undelivered(session, 2)).containsExactly(appended.get(0), appended.get(1));
        assertThat(outbox.undelivered(session, 5)).isEqualTo(appended);
    }

    @Test
    void undeliveredOfAChainNeverAppendedToIsEmpty() {
        assertThat(outbox.undelivered("s-" + UUID.randomUUID(), 10)).isEmpty();
    }

    @Test
    void markedEventsAreNoLongerUndelivered() {
        List<AuditEvent> appended = appendAll(session, 5);

        outbox.markDelivered(appended.get(0));
        outbox.markDelivered(appended.get(2));

        assertThat(outbox.undelivered(session, 10)).containsExactly(appended.get(1), appended.get(3), appended.get(4));
        assertThat(outbox.undelivered(session, 2)).as("the limit counts undelivered events only")
                .containsExactly(appended.get(1), appended.get(3));
    }

    @Test
    void markingAnEventAgainIsHarmless() {
        List<AuditEvent> appended = appendAll(session, 2);
        outbox.markDelivered(appended.get(0));

        outbox.markDelivered(appended.get(0));

        assertThat(outbox.undelivered(session, 10)).containsExactly(appended.get(1));
    }

    @Test
    void aSessionlessEventMarkedDeliveredIsNoLongerUndelivered() {
        AuditEvent alone = outbox.append(sessionless(1));

        outbox.markDelivered(alone);

        assertThat(outbox.undelivered(alone.chainKey(), 10)).isEmpty();
    }

    @Test
    void markingAnEventTheOutboxDoesNotHoldLeavesTheEventInItsPlaceUndelivered() {
        AuditEvent never = CHAIN.first(event(session, 1));
        outbox.markDelivered(never);
        AuditEvent real = outbox.append(event(session, 1));

        outbox.markDelivered(never);

        assertThat(outbox.undelivered(session, 10)).containsExactly(real);
    }

    @Test
    void anEventMarkedDeliveredBeforeTheOutboxHeldItIsUndeliveredOnceAppended() {
        AuditEvent unchained = event(session, 1);
        outbox.markDelivered(CHAIN.first(unchained));

        AuditEvent appended = outbox.append(unchained);

        assertThat(outbox.undelivered(session, 10)).containsExactly(appended);
    }

    @Test
    void theChainContinuesAfterDeliveredEvents() {
        List<AuditEvent> appended = appendAll(session, 3);
        appended.forEach(outbox::markDelivered);

        AuditEvent fourth = outbox.append(event(session, 4));

        List<AuditEvent> chain = new ArrayList<>(appended);
        chain.add(fourth);
        assertOneChain(chain);
        assertThat(outbox.undelivered(session, 10)).containsExactly(fourth);
    }

    @Test
    void theBacklogNamesAChainWhileAnyOfItsEventsIsUndeliveredAndDropsItOnceAllAreMarked() {
        AuditBacklog backlog = backlogOf(outbox);
        List<AuditEvent> appended = appendAll(session, 3);
        AuditEvent alone = outbox.append(sessionless(9));
        String delivered = "s-" + UUID.randomUUID();
        appendAll(delivered, 2).forEach(outbox::markDelivered);

        assertThat(backlog.chainsWithUndeliveredEvents()).contains(session, alone.chainKey()).doesNotContain(delivered);

        outbox.markDelivered(appended.get(0));
        outbox.markDelivered(appended.get(2));
        assertThat(backlog.chainsWithUndeliveredEvents()).as("seq 2 still waits").contains(session);

        outbox.markDelivered(appended.get(1));
        outbox.markDelivered(alone);
        assertThat(backlog.chainsWithUndeliveredEvents()).doesNotContain(session, alone.chainKey(), delivered);
    }

    @Test
    void concurrentAppendsToOneChainNeverForkOrLeaveAGap() throws Exception {
        int threads = 4;
        int perThread = 10;

        List<AuditEvent> appended = new ArrayList<>(Race.of(threads, racer -> {
            List<AuditEvent> mine = new ArrayList<>();
            for (int n = 1; n <= perThread; n++) {
                mine.add(outbox.append(event(session, n)));
            }
            return mine;
        }).stream().flatMap(List::stream).toList());

        assertThat(appended).extracting(AuditEvent::eventId).doesNotHaveDuplicates();
        appended.sort(Comparator.comparingLong(AuditEvent::sessionSeq));
        assertOneChain(appended);
        assertThat(appended).hasSize(threads * perThread);
        assertThat(outbox.undelivered(session, 100)).isEqualTo(appended);
    }
}
