package dev.mcpbroker.function.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.MutableClock;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.BrokerCalls;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session lifecycle against real DynamoDB and a real upstream: idle and absolute expiry, no lost
 * updates under concurrent requests, affinity cookies replayed, upstream sessions re-opened when the
 * upstream loses them, the warm pool, and the per-task session count.
 */
@Timeout(120)
class SessionLifecycleTest {

    private static final String STATE = "lifecycle-state";
    private static final String POLICY = "lifecycle-policy";
    private static final AgentIdentity AGENT = new AgentIdentity("lifecycle-agent", "lifecycle", null);
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(Duration.ofHours(2), Duration.ofMinutes(10),
            Duration.ofMinutes(1));

    private static AwsEnvironment aws;
    private static DemoUpstream upstream;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY);
        upstream = DemoUpstream.start();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @BeforeEach
    void resetUpstream() {
        upstream.reset();
    }

    private static UpstreamServer server(int warmSessions) {
        String id = "life-" + UUID.randomUUID().toString().substring(0, 8);
        new PolicyAdmin(aws.dynamoDb(), POLICY).grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant(id, null));
        return new UpstreamServer(id, upstream.mcpEndpoint(), Duration.ofSeconds(2), Duration.ofSeconds(20),
                UpstreamAuth.NONE, ServerControls.NONE, ToolPolicy.NONE, new SessionLimits(OptionalInt.empty(), warmSessions));
    }

    /** Records the events the tests read; a recording sink, not a stand-in for anything the broker calls. */
    private BrokerMetrics recording() {
        return new BrokerMetrics() {
            @Override
            public void upstreamSessionReopened(String serverId, boolean retried) {
                events.add("reopened retried=" + retried);
            }

            @Override
            public void sessionOpened(String serverId, boolean warm, Duration queued) {
                events.add("opened warm=" + warm);
            }

            @Override
            public void sessionsPerTask(String serverId, long sessions) {
                events.add("task sessions=" + sessions);
            }
        };
    }

    private InProcessBroker inProcess(UpstreamServer server) {
        return new InProcessBroker(aws.dynamoDb(), STATE, POLICY).servers(server).clock(clock).timeouts(TIMEOUTS)
                .metrics(recording());
    }

    private static BrokerSession stored(String sessionId) {
        return new DynamoDbSessionStore(aws.dynamoDb(), STATE).find(sessionId).orElseThrow();
    }

    @Test
    void aSessionUnusedForTheIdleTimeoutAnswersSessionNotFound() {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String session = calls.initialize();

        clock.advance(Duration.ofMinutes(9));
        assertThat(calls.ping(session).has("result")).isTrue(); // used: the idle deadline moves

        clock.advance(Duration.ofMinutes(9));
        assertThat(calls.ping(session).has("result")).isTrue(); // 18 min after initialize, 9 after the last use

        clock.advance(Duration.ofMinutes(10));
        BrokerException idle = BrokerCalls.failureOf(() -> calls.ping(session));
        assertThat(idle).isNotNull().extracting(BrokerException::code).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    }

    @Test
    void aBusySessionStillEndsAtItsAbsoluteLifetime() {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String session = calls.initialize();
        for (int i = 0; i < 13; i++) {
            clock.advance(Duration.ofMinutes(9));
            assertThat(calls.ping(session).has("result")).isTrue();
        }
        clock.advance(Duration.ofMinutes(9)); // 126 min: past the 2 h lifetime though used 9 min ago
        assertThat(BrokerCalls.failureOf(() -> calls.ping(session))).isNotNull()
                .extracting(BrokerException::code).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    }

    @Test
    void concurrentRequestsOnOneSessionLoseNoUpdateOfTheSessionRecord() throws Exception {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String session = calls.initialize();
        upstream.setCookieOnEveryAnswer(true); // each answer brings a new cookie the record must keep

        ExecutorService threads = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<ObjectNode>> pings = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pings.add(CompletableFuture.supplyAsync(() -> calls.ping(session), threads));
            }
            for (CompletableFuture<ObjectNode> ping : pings) {
                assertThat(ping.get(30, TimeUnit.SECONDS).has("result")).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
        BrokerSession record = stored(session);
        assertThat(record.affinity().cookies()).hasSize(20);
        assertThat(record.version()).isEqualTo(1 + 20);
    }

    @Test
    void cookiesTheUpstreamSetsAreReplayedOnLaterRequests() {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        upstream.setCookieOnEveryAnswer(true);
        String session = calls.initialize();
        upstream.setCookieOnEveryAnswer(false);
        calls.ping(session);
        assertThat(upstream.lastRequestHeaders().get("cookie")).isEqualTo(stored(session).affinity().cookieHeader()).isNotEmpty();
    }

    @Test
    void aReadOnlyRequestIsRetriedTransparentlyAfterTheUpstreamLostTheSession() throws Exception {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String session = calls.initialize();
        String lostUpstreamSession = stored(session).upstreamSessionId();
        endUpstreamSessionBehindTheBroker(lostUpstreamSession);
        long initializesBefore = upstream.initializes();

        ObjectNode list = calls.toolsList(session);

        assertThat(list.path("result").path("tools").findValuesAsText("name")).contains("transfer");
        assertThat(events).contains("reopened retried=true");
        assertThat(upstream.initializes()).isEqualTo(initializesBefore + 1);
        assertThat(stored(session).upstreamSessionId()).isNotEqualTo(lostUpstreamSession);
        assertThat(BrokerCalls.text(calls.call(session, "get_balance", "{\"account\":\"alice\"}", null))).contains("alice");
    }

    @Test
    void aStateChangingCallIsNeverRetriedAfterTheUpstreamLostTheSessionButMayBeSentAgain() throws Exception {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String session = calls.initialize();
        calls.toolsList(session); // the broker learns which tools change state
        endUpstreamSessionBehindTheBroker(stored(session).upstreamSessionId());
        String transfer = "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":100}";

        BrokerException lost = BrokerCalls.failureOf(() -> calls.call(session, "transfer", transfer, "key-heal-1"));

        assertThat(lost).isNotNull();
        assertThat(lost.code()).isEqualTo(ErrorCode.UPSTREAM_SESSION_LOST);
        assertThat(lost.failureClass()).isEqualTo(FailureClass.NOT_EXECUTED);
        assertThat(events).contains("reopened retried=false");
        assertThat(upstream.executions("transfer")).isZero();

        // Not executed, so the same key may be sent again: it runs once, on the re-opened upstream session.
        ObjectNode again = calls.call(session, "transfer", transfer, "key-heal-1");
        assertThat(again.path("result").path("isError").asBoolean(true)).isFalse();
        assertThat(upstream.executions("transfer")).isEqualTo(1);
    }

    @Test
    void anInitializeTakesAWarmUpstreamSessionAndTheUpstreamSeesNoInitialize() {
        UpstreamServer server = server(2);
        InProcessBroker broker = inProcess(server);
        WarmSessions.Refill refill = broker.warmSessions().refill(server);
        assertThat(refill.added()).isEqualTo(2);
        long initializesAfterRefill = upstream.initializes();
        BrokerCalls calls = new BrokerCalls(broker.build(), AGENT, server.id());

        var response = calls.initializeResponse(WarmSessions.REQUESTED_VERSION);

        String session = response.headers().get("Mcp-Session-Id");
        assertThat(session).isNotNull();
        assertThat(response.body().orElseThrow().path("result").path("serverInfo").path("name").asText()).isNotEmpty();
        assertThat(response.body().orElseThrow().path("id").asInt()).isEqualTo(1);
        assertThat(upstream.initializes()).isEqualTo(initializesAfterRefill);
        assertThat(events).contains("opened warm=true");
        assertThat(BrokerCalls.text(calls.call(session, "get_balance", "{\"account\":\"bob\"}", null))).contains("bob");
        assertThat(broker.warmSessions().refill(server).added()).isEqualTo(1); // the refill tops the pool up again

        // An agent asking for another protocol version gets a cold session of its own.
        calls.initialize("2025-06-18", null);
        assertThat(events).contains("opened warm=false");
    }

    @Test
    void staleWarmSessionsAreDiscardedAndEndedUpstream() {
        UpstreamServer server = server(1);
        InProcessBroker broker = inProcess(server).warmMaxAge(Duration.ofMinutes(5));
        broker.warmSessions().refill(server);
        clock.advance(Duration.ofMinutes(6));
        WarmSessions.Refill refill = broker.warmSessions().refill(server);
        assertThat(refill.discarded()).isEqualTo(1);
        assertThat(refill.added()).isEqualTo(1);
    }

    @Test
    void sessionsOfOneAgentTaskAreCounted() {
        UpstreamServer server = server(0);
        BrokerCalls calls = new BrokerCalls(inProcess(server).build(), AGENT, server.id());
        String task = "task-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            calls.initialize(BrokerCalls.VERSION, task);
        }
        calls.initialize(BrokerCalls.VERSION, "another-" + task);
        assertThat(events).filteredOn(e -> e.startsWith("task")).containsExactly(
                "task sessions=1", "task sessions=2", "task sessions=3", "task sessions=1");
    }

    /** Ends an upstream session directly (as an upstream restart or its own idle timeout would). */
    private static void endUpstreamSessionBehindTheBroker(String upstreamSessionId) throws Exception {
        HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(upstream.mcpEndpoint())
                .header("Mcp-Session-Id", upstreamSessionId)
                .header("MCP-Protocol-Version", BrokerCalls.VERSION)
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isBetween(200, 299);
    }

}
