package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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

    private BrokerSession newSession() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new BrokerSession(ids.mint(), OWNER, "payments", "upstream-" + ids.mint(), "2025-11-25",
                "{\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}", BrokerSession.State.ACTIVE,
                now, now.plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS), 1);
    }

    @Test
    void createdSessionIsReadBackUnchanged() {
        BrokerSession session = newSession();
        store.create(session);
        assertThat(store.find(session.sessionId())).contains(session);
    }

    @Test
    void sessionWithoutUpstreamSessionIdRoundTrips() {
        BrokerSession stateless = new BrokerSession(ids.mint(), new SessionOwner("agent-b", "tenant-2", "bob@example.com"), "everything", null, "2025-06-18", "{}",
                BrokerSession.State.ACTIVE, Instant.ofEpochMilli(1000), Instant.ofEpochSecond(5000), 1);
        store.create(stateless);
        assertThat(store.find(stateless.sessionId())).contains(stateless);
    }

    @Test
    void createWithAnExistingIdFailsAndLeavesTheFirstSessionIntact() {
        BrokerSession first = newSession();
        store.create(first);
        BrokerSession impostor = new BrokerSession(first.sessionId(), OWNER, "other-server", "other-upstream", "2025-03-26",
                "{}", BrokerSession.State.ACTIVE, first.createdAt(), first.expiresAt(), 1);
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
    void unreachableTableSurfacesAsStoreUnavailable() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        DynamoDbSessionStore unreachable = new DynamoDbSessionStore(nowhere, TABLE);
        assertThatThrownBy(() -> unreachable.find("x")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.create(newSession())).isInstanceOf(StoreUnavailableException.class);
    }
}
