package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionChanges;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionSlots;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionStore.SessionAlreadyExistsException;
import dev.mcpbroker.core.session.SessionStore.SessionChangedException;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} does: a session is never overwritten by a create, reads return what was written,
 * and every change or end is conditional on the version the caller read, refused with the stored session otherwise.
 * Times are whole milliseconds (the precision stores keep) and far in the future (no storage TTL interferes).
 */
public abstract class SessionStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofSeconds(30));
    private static final SessionOwner OWNER = new SessionOwner("agent-a", "tenant-1", "alice@example.com");

    private SessionStore store;

    /** A store over empty or shared storage; sessions of one test never collide with another's (random ids). */
    protected abstract SessionStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    private static String newId() {
        return "s-" + UUID.randomUUID();
    }

    /** A session with every optional field set. */
    private static BrokerSession fullSession() {
        return BrokerSession.open(newId(), OWNER, "payments", "upstream-" + UUID.randomUUID(), "2025-11-25",
                "{\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}",
                new UpstreamAffinity(Map.of("lb", "replica-2", "AWSALB", "x=y")), T0.plusMillis(123), TIMEOUTS,
                new SessionSlots(3, 0, 11), "task-7");
    }

    @Test
    void aCreatedSessionIsFoundEqualToWhatWasWritten() {
        BrokerSession session = fullSession();
        store.create(session);

        BrokerSession found = store.find(session.sessionId()).orElseThrow();
        assertThat(found).isEqualTo(session);
        // SessionOwner's equality leaves the user out: it must round-trip all the same.
        assertThat(found.owner().onBehalfOf()).isEqualTo("alice@example.com");
    }

    @Test
    void aSessionWithoutOptionalFieldsRoundTripsWithoutThem() {
        BrokerSession bare = BrokerSession.open(newId(), new SessionOwner("agent-b", "tenant-2", null), "everything", null,
                "2025-06-18", "{}", UpstreamAffinity.NONE, T0, TIMEOUTS, BrokerSession.NO_SLOT, null);
        store.create(bare);

        BrokerSession found = store.find(bare.sessionId()).orElseThrow();
        assertThat(found).isEqualTo(bare);
        assertThat(found.owner().onBehalfOf()).isNull();
        assertThat(found.upstreamSession()).isEmpty();
        assertThat(found.holdsCapacity()).isFalse();
        assertThat(found.taskId()).isNull();
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        assertThat(store.find(newId())).isEmpty();
    }

    @Test
    void createWithAnExistingIdIsRefusedAndKeepsTheFirstSession() {
        BrokerSession first = fullSession();
        store.create(first);
        BrokerSession impostor = BrokerSession.open(first.sessionId(), new SessionOwner("agent-x", "tenant-x", null), "other",
                null, "2025-03-26", "{}", UpstreamAffinity.NONE, T0, TIMEOUTS, BrokerSession.NO_SLOT, null);

        assertThatThrownBy(() -> store.create(impostor)).isInstanceOf(SessionAlreadyExistsException.class);
        assertThat(store.find(first.sessionId())).contains(first);
    }

    @Test
    void createWithTheIdOfAnEndedSessionIsRefusedAndKeepsItEnded() {
        BrokerSession first = fullSession();
        store.create(first);
        BrokerSession ended = store.end(first.sessionId(), 1, T0.plusSeconds(5));

        assertThatThrownBy(() -> store.create(fullSessionWithId(first.sessionId())))
                .isInstanceOf(SessionAlreadyExistsException.class);
        assertThat(store.find(first.sessionId())).contains(ended);
    }

    @Test
    void createUnlessLiveStoresANewSession() {
        BrokerSession held = fullSession();

        store.createUnlessLive(held, T0.plusSeconds(1));

        assertThat(store.find(held.sessionId())).contains(held);
    }

    @Test
    void createUnlessLiveIsRefusedOverALiveSessionAndKeepsIt() {
        BrokerSession live = fullSession();
        store.create(live);

        assertThatThrownBy(() -> store.createUnlessLive(fullSessionWithId(live.sessionId()), T0.plusSeconds(1)))
                .isInstanceOf(SessionAlreadyExistsException.class);
        assertThat(store.find(live.sessionId())).contains(live);
    }

    @Test
    void createUnlessLiveReplacesAnEndedSession() {
        BrokerSession first = fullSession();
        store.create(first);
        store.end(first.sessionId(), 1, T0.plusSeconds(5));
        BrokerSession next = fullSessionWithId(first.sessionId());

        store.createUnlessLive(next, T0.plusSeconds(6));

        assertThat(store.find(first.sessionId())).contains(next);
    }

    @Test
    void createUnlessLiveReplacesASessionPastItsIdleTimeout() {
        BrokerSession idle = fullSession();
        store.create(idle);
        BrokerSession next = BrokerSession.open(idle.sessionId(), OWNER, "payments", null, "2025-11-25", "{}",
                UpstreamAffinity.NONE, T0.plus(Duration.ofMinutes(11)), TIMEOUTS, BrokerSession.NO_SLOT, null);

        store.createUnlessLive(next, T0.plus(Duration.ofMinutes(11)));

        assertThat(store.find(idle.sessionId())).contains(next);
    }

    @Test
    void concurrentCreateUnlessLiveWithOneIdLetExactlyOneWin() throws Exception {
        String id = newId();

        List<BrokerSession> winners = Race.of(8, racer -> {
            BrokerSession mine = BrokerSession.open(id, OWNER, "server-" + racer, null, "2025-11-25", "{}",
                    UpstreamAffinity.NONE, T0, TIMEOUTS, racer, null);
            try {
                store.createUnlessLive(mine, T0);
                return mine;
            } catch (SessionAlreadyExistsException lost) {
                return null;
            }
        }).stream().filter(Objects::nonNull).toList();

        assertThat(winners).hasSize(1);
        assertThat(store.find(id)).contains(winners.get(0));
    }

    private static BrokerSession fullSessionWithId(String sessionId) {
        return BrokerSession.open(sessionId, OWNER, "payments", null, "2025-11-25", "{}", UpstreamAffinity.NONE, T0,
                TIMEOUTS, BrokerSession.NO_SLOT, null);
    }

    @Test
    void replaceFromTheStoredVersionStoresTheNextSession() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession touched = session.touched(T0.plusSeconds(40), TIMEOUTS);
        // the whole record is replaced: a re-opened upstream session, no cookies, no slot any more
        BrokerSession next = new BrokerSession(touched.sessionId(), touched.owner(), touched.serverId(), "re-opened",
                touched.protocolVersion(), touched.initializeParams(), UpstreamAffinity.NONE, touched.state(),
                touched.createdAt(), touched.lastSeenAt(), touched.idleExpiresAt(), touched.expiresAt(),
                SessionSlots.NO_SLOTS, touched.taskId(), 2);

        store.replace(next, 1);

        assertThat(store.find(session.sessionId())).contains(next);
    }

    @Test
    void replaceFromAStaleVersionIsRefusedWithTheStoredSession() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession first = session.withAffinity(UpstreamAffinity.NONE);
        store.replace(first, 1);

        BrokerSession late = session.withAffinity(new UpstreamAffinity(Map.of("x", "y")));
        assertThatThrownBy(() -> store.replace(late, 1))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(first));
        assertThat(store.find(session.sessionId())).contains(first);
    }

    @Test
    void replaceFromAVersionAheadOfTheStoredOneIsRefusedWithTheStoredSession() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession ahead = session.withSlots(SessionSlots.server(1)).withSlots(SessionSlots.server(2));

        assertThatThrownBy(() -> store.replace(ahead, 2))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(session));
        assertThat(store.find(session.sessionId())).contains(session);
    }

    @Test
    void replaceOfAnUnknownSessionIsRefusedWithoutACurrentSessionAndCreatesNothing() {
        BrokerSession neverCreated = fullSession();

        assertThatThrownBy(() -> store.replace(neverCreated.withAffinity(UpstreamAffinity.NONE), 1))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(store.find(neverCreated.sessionId())).isEmpty();
    }

    @Test
    void replaceOfAnEndedSessionIsRefusedWithTheEndedSessionEvenAtItsVersion() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession ended = store.end(session.sessionId(), 1, T0.plusSeconds(5));

        // a change computed from the ended session itself, at its current version
        BrokerSession revived = new BrokerSession(ended.sessionId(), ended.owner(), ended.serverId(),
                ended.upstreamSessionId(), ended.protocolVersion(), ended.initializeParams(), ended.affinity(),
                BrokerSession.State.ACTIVE, ended.createdAt(), ended.lastSeenAt(), ended.idleExpiresAt(), ended.expiresAt(),
                ended.slots(), ended.taskId(), ended.version() + 1);
        assertThatThrownBy(() -> store.replace(revived, ended.version()))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(ended));
        assertThat(store.find(session.sessionId())).contains(ended);
    }

    @Test
    void endFromTheStoredVersionEndsTheSessionAtTheNextVersionAndKeepsEverythingElse() {
        BrokerSession session = fullSession();
        store.create(session);

        BrokerSession ended = store.end(session.sessionId(), 1, T0.plusSeconds(5));

        assertThat(ended.state()).isEqualTo(BrokerSession.State.ENDED);
        assertThat(ended.version()).isEqualTo(2);
        assertThat(ended).isEqualTo(session.ended());
        assertThat(ended.owner().onBehalfOf()).isEqualTo(session.owner().onBehalfOf());
        assertThat(store.find(session.sessionId())).contains(ended);
    }

    @Test
    void endFromAStaleVersionIsRefusedWithTheStoredSessionWhichStaysActive() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession changed = session.withSlots(SessionSlots.server(9));
        store.replace(changed, 1);

        assertThatThrownBy(() -> store.end(session.sessionId(), 1, T0.plusSeconds(5)))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(changed));
        assertThat(store.find(session.sessionId())).contains(changed);
    }

    @Test
    void endOfAnEndedSessionIsRefusedWithTheEndedSessionEvenAtItsVersion() {
        BrokerSession session = fullSession();
        store.create(session);
        BrokerSession ended = store.end(session.sessionId(), 1, T0.plusSeconds(5));

        assertThatThrownBy(() -> store.end(session.sessionId(), ended.version(), T0.plusSeconds(6)))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(ended));
        assertThatThrownBy(() -> store.end(session.sessionId(), 1, T0.plusSeconds(6)))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).contains(ended));
        assertThat(store.find(session.sessionId())).contains(ended);
    }

    @Test
    void endOfAnUnknownSessionIsRefusedWithoutACurrentSessionAndCreatesNothing() {
        String id = newId();

        assertThatThrownBy(() -> store.end(id, 1, T0))
                .isInstanceOfSatisfying(SessionChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(store.find(id)).isEmpty();
    }

    @Test
    void concurrentCreatesWithOneIdLetExactlyOneWinAndKeepItsSession() throws Exception {
        String id = newId();

        List<BrokerSession> winners = Race.of(8, racer -> {
            BrokerSession mine = BrokerSession.open(id, OWNER, "server-" + racer, null, "2025-11-25", "{}",
                    UpstreamAffinity.NONE, T0, TIMEOUTS, racer, null);
            try {
                store.create(mine);
                return mine;
            } catch (SessionAlreadyExistsException lost) {
                return null;
            }
        }).stream().filter(Objects::nonNull).toList();

        assertThat(winners).hasSize(1);
        assertThat(store.find(id)).contains(winners.get(0));
    }

    @Test
    void concurrentEndsFromOneVersionLetExactlyOneWin() throws Exception {
        BrokerSession session = fullSession();
        store.create(session);

        List<Boolean> won = Race.of(8, racer -> {
            try {
                store.end(session.sessionId(), 1, T0.plusSeconds(racer));
                return true;
            } catch (SessionChangedException lost) {
                return false;
            }
        });

        assertThat(won).containsOnlyOnce(true);
        assertThat(store.find(session.sessionId())).contains(session.ended());
    }

    @Test
    void concurrentReplacesFromOneVersionLetExactlyOneWin() throws Exception {
        BrokerSession session = fullSession();
        store.create(session);

        List<BrokerSession> winners = Race.of(8, racer -> {
            BrokerSession mine = session.withSlots(SessionSlots.server(racer));
            try {
                store.replace(mine, 1);
                return mine;
            } catch (SessionChangedException lost) {
                assertThat(lost.current()).hasValueSatisfying(current -> assertThat(current.version()).isEqualTo(2));
                return null;
            }
        }).stream().filter(Objects::nonNull).toList();

        assertThat(winners).hasSize(1);
        assertThat(store.find(session.sessionId())).contains(winners.get(0));
    }

    @Test
    void concurrentChangesFromOneStaleReadAreAllKeptThroughSessionChanges() throws Exception {
        BrokerSession session = fullSession();
        store.create(session);
        SessionChanges changes = new SessionChanges(store);
        int writers = 8;

        // every writer starts from the same read, as concurrent requests on one session do
        Race.of(writers, racer -> changes.apply(session,
                current -> current.withAffinity(current.affinity().merge(List.of("c" + racer + "=v; Path=/")))));

        BrokerSession stored = store.find(session.sessionId()).orElseThrow();
        assertThat(stored.affinity().cookies()).containsKeys("lb", "AWSALB", "c0", "c7").hasSize(writers + 2);
        assertThat(stored.version()).isEqualTo(1 + writers);
    }
}
