package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionChanges;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The adapter against a real DynamoDB (DynamoDB Local or LocalStack, chosen at run time). */
class DynamoDbSessionStoreTest {

    private static final SessionOwner OWNER = new SessionOwner("agent-a", "tenant-1", "alice@example.com");

    private static final String TABLE = "session-store-test";
    private static AwsEnvironment aws;
    private static DynamoDbSessionStore store;
    private final SessionIds ids = new SessionIds(new SecureRandom());

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        store = new DynamoDbSessionStore(aws.dynamoDb(), TABLE);
    }

    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(Duration.ofHours(1), Duration.ofMinutes(10), Duration.ZERO);

    private BrokerSession newSession() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return BrokerSession.open(ids.mint(), OWNER, "payments", "upstream-" + ids.mint(), "2025-11-25",
                "{\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}",
                new UpstreamAffinity(Map.of("lb", "replica-2")), now, TIMEOUTS, 3, "task-7");
    }

    @Test
    void createdSessionIsReadBackUnchanged() {
        BrokerSession session = newSession();
        store.create(session);
        assertThat(store.find(session.sessionId())).contains(session);
    }

    @Test
    void sessionWithoutUpstreamSessionIdRoundTrips() {
        BrokerSession stateless = BrokerSession.open(ids.mint(), new SessionOwner("agent-b", "tenant-2", "bob@example.com"),
                "everything", null, "2025-06-18", "{}", UpstreamAffinity.NONE, Instant.ofEpochMilli(1000), TIMEOUTS,
                BrokerSession.NO_SLOT, null);
        store.create(stateless);
        assertThat(store.find(stateless.sessionId())).contains(stateless);
    }

    @Test
    void createWithAnExistingIdFailsAndLeavesTheFirstSessionIntact() {
        BrokerSession first = newSession();
        store.create(first);
        BrokerSession impostor = BrokerSession.open(first.sessionId(), OWNER, "other-server", "other-upstream", "2025-03-26",
                "{}", UpstreamAffinity.NONE, first.createdAt(), TIMEOUTS, BrokerSession.NO_SLOT, null);
        assertThatThrownBy(() -> store.create(impostor)).isInstanceOf(SessionStore.SessionAlreadyExistsException.class);
        assertThat(store.find(first.sessionId())).contains(first);
    }

    @Test
    void unknownSessionIsEmpty() {
        assertThat(store.find(ids.mint())).isEmpty();
    }

    @Test
    void endMarksTheSessionEndedAndBumpsItsVersion() {
        BrokerSession session = newSession();
        store.create(session);
        BrokerSession ended = store.end(session.sessionId(), 1, Instant.now());
        assertThat(ended.state()).isEqualTo(BrokerSession.State.ENDED);
        assertThat(ended.version()).isEqualTo(2);
        assertThat(store.find(session.sessionId())).contains(ended);
    }

    @Test
    void endAtAStaleVersionFailsAndReportsTheCurrentSession() {
        BrokerSession session = newSession();
        store.create(session);
        store.end(session.sessionId(), 1, Instant.now());
        assertThatThrownBy(() -> store.end(session.sessionId(), 1, Instant.now()))
                .isInstanceOfSatisfying(SessionStore.SessionChangedException.class,
                        e -> assertThat(e.current()).hasValueSatisfying(current -> assertThat(current.version()).isEqualTo(2)));
    }

    @Test
    void endOfAnUnknownSessionFailsWithoutCreatingIt() {
        String id = ids.mint();
        assertThatThrownBy(() -> store.end(id, 1, Instant.now()))
                .isInstanceOfSatisfying(SessionStore.SessionChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(store.find(id)).isEmpty();
    }

    @Test
    void concurrentEndsOfOneSessionLetExactlyOneWin() throws Exception {
        BrokerSession session = newSession();
        store.create(session);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Boolean> end = () -> {
                    try {
                        store.end(session.sessionId(), 1, Instant.now());
                        return true;
                    } catch (SessionStore.SessionChangedException e) {
                        return false;
                    }
                };
                attempts.add(pool.submit(end));
            }
            long winners = 0;
            for (Future<Boolean> attempt : attempts) {
                winners += attempt.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentChangesOfOneSessionAreAllKept() throws Exception {
        BrokerSession session = newSession();
        store.create(session);
        SessionChanges changes = new SessionChanges(store);
        int writers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<BrokerSession>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String cookie = "c" + i;
                // Every writer starts from the same stale read, as concurrent requests on one session do.
                results.add(pool.submit(() -> changes.apply(session, current -> current.withAffinity(
                        current.affinity().merge(List.of(cookie + "=v; Path=/"))))));
            }
            for (Future<BrokerSession> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
        BrokerSession stored = store.find(session.sessionId()).orElseThrow();
        assertThat(stored.affinity().cookies()).containsKeys("lb", "c0", "c5", "c11").hasSize(writers + 1);
        assertThat(stored.version()).isEqualTo(1 + writers);
    }

    @Test
    void replaceOverAStaleVersionFailsAndReturnsTheStoredSession() {
        BrokerSession session = newSession();
        store.create(session);
        BrokerSession first = session.withAffinity(UpstreamAffinity.NONE);
        store.replace(first, 1);
        assertThatThrownBy(() -> store.replace(session.withAffinity(new UpstreamAffinity(Map.of("x", "y"))), 1))
                .isInstanceOfSatisfying(SessionStore.SessionChangedException.class,
                        e -> assertThat(e.current()).contains(first));
    }

    @Test
    void unreachableTableSurfacesAsStoreUnavailable() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        DynamoDbSessionStore unreachable = new DynamoDbSessionStore(nowhere, TABLE);
        assertThatThrownBy(() -> unreachable.find("x")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.create(newSession())).isInstanceOf(StoreUnavailableException.class);
    }
}
