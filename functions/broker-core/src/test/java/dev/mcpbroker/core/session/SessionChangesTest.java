package dev.mcpbroker.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.memory.InMemorySessionStore;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SessionChangesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(Duration.ofMinutes(60), Duration.ofMinutes(10),
            Duration.ofMinutes(1));

    /** A store where, before each of the first {@code rivals} writes, another request stores a cookie of its own. */
    private static final class RivalledStore implements SessionStore {
        private final InMemorySessionStore stored = new InMemorySessionStore();
        private int rivals;
        private boolean sameRival;

        RivalledStore(int rivals) {
            this.rivals = rivals;
        }

        @Override
        public void create(BrokerSession session) {
            stored.create(session);
        }

        @Override
        public void createUnlessLive(BrokerSession session, Instant now) {
            stored.createUnlessLive(session, now);
        }

        @Override
        public java.util.Optional<BrokerSession> find(String sessionId) {
            return stored.find(sessionId);
        }

        @Override
        public void replace(BrokerSession next, long expectedVersion) {
            if (rivals > 0) {
                BrokerSession now = stored.find(next.sessionId()).orElseThrow();
                stored.replace(now.withAffinity(now.affinity().merge(List.of(sameRival ? "rival=" + rivals : "rival" + rivals + "=x"))), now.version());
                rivals--;
            }
            stored.replace(next, expectedVersion);
        }

        @Override
        public BrokerSession end(String sessionId, long expectedVersion, Instant at) {
            return stored.end(sessionId, expectedVersion, at);
        }
    }

    private static BrokerSession opened(SessionStore store) {
        BrokerSession session = BrokerSession.open("id-123456789", new SessionOwner("a", "t", null), "payments", "up",
                "2025-11-25", "{}", UpstreamAffinity.NONE, T0, TIMEOUTS, BrokerSession.NO_SLOT, null);
        store.create(session);
        return session;
    }

    private static UnaryOperator<BrokerSession> addCookie(String setCookie) {
        return session -> {
            UpstreamAffinity merged = session.affinity().merge(List.of(setCookie));
            return merged.equals(session.affinity()) ? session : session.withAffinity(merged);
        };
    }

    @Test
    void aChangeThatLosesToNineteenConcurrentChangesIsStoredWithAllOfThem() {
        RivalledStore store = new RivalledStore(19);
        BrokerSession read = opened(store);

        BrokerSession stored = new SessionChanges(store).apply(read, addCookie("mine=1"));

        assertThat(stored.affinity().cookies()).hasSize(20).containsEntry("mine", "1");
        assertThat(store.find(read.sessionId()).orElseThrow().version()).isEqualTo(read.version() + 20);
    }

    @Test
    void aChangeThatNeverWinsEndsContendedWithoutWriting() {
        RivalledStore store = new RivalledStore(Integer.MAX_VALUE);
        store.sameRival = true; // one request's cookie, changing on every answer: never more than one entry
        BrokerSession read = opened(store);

        assertThatThrownBy(() -> new SessionChanges(store).apply(read, addCookie("mine=1")))
                .isInstanceOf(SessionChanges.ContendedException.class);
        assertThat(store.find(read.sessionId()).orElseThrow().affinity().cookies()).doesNotContainKey("mine");
    }

    @Test
    void aChangeWithNothingToChangeWritesNothing() {
        RivalledStore store = new RivalledStore(0);
        BrokerSession read = opened(store);
        BrokerSession once = new SessionChanges(store).apply(read, addCookie("mine=1"));

        assertThat(new SessionChanges(store).apply(once, addCookie("mine=1"))).isSameAs(once);
        assertThat(store.find(read.sessionId()).orElseThrow().version()).isEqualTo(read.version() + 1);
    }
}
