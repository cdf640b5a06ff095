package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.lb.Nginx;
import dev.mcpbroker.testkit.upstream.TypeScriptSessions;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker replicas need no session affinity. Three replicas (each a function process behind its own gateway)
 * behind nginx round-robin, configured by the shipped {@code infra/nginx/mcp-broker-lb.conf}, serve 20 concurrent
 * sessions of the official Java and TypeScript SDK clients, every request going to whichever replica nginx picks.
 * No session is lost or silently re-opened; when a whole replica dies mid-run the sessions carry on through the
 * other two, and only the calls it had in flight fail, each with a failure class the client can act on.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RoundRobinSessionsTest {

    private static final int JAVA_SESSIONS = 10;
    private static final int TS_SESSIONS = 10;
    private static final int CALLS = 60;
    private static final int LIST_EVERY = 10;
    /** tools/call and tools/list per session. */
    private static final int REQUESTS_PER_SESSION = CALLS + CALLS / LIST_EVERY;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static final Map<String, Object> ARGUMENTS = Map.of("account", "alice");

    private LocalBrokerStack stack;
    private final List<LocalLambda> replicas = new ArrayList<>();
    private Nginx nginx;
    private URI endpoint;
    private String authorization;

    @BeforeEach
    void threeReplicasBehindRoundRobin() {
        stack = SharedStack.get();
        authorization = stack.devAuthorization().get("Authorization");
        for (int i = 0; i < 3; i++) {
            replicas.add(stack.addBroker());
        }
        // Each replica answers once directly, so the run starts with warm processes rather than three cold starts.
        for (LocalLambda replica : replicas) {
            URI direct = replica.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
            String session = RawMcp.initialize(stack, direct);
            assertThat(RawMcp.delete(stack, direct, session).status()).isEqualTo(204);
        }
        nginx = Nginx.roundRobin(replicas.stream().map(LocalLambda::baseUri).toList());
        endpoint = nginx.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }

    @AfterEach
    void stopReplicasAndLoadBalancer() {
        if (nginx != null) {
            nginx.close();
        }
        replicas.forEach(LocalLambda::close);
    }

    @Test
    void twentyConcurrentSdkSessionsKeepTheirSessionsWhileRoundRobinSpreadsTheirRequestsOverThreeReplicas() {
        long balancesBefore = stack.payments().executions("get_balance");

        Run run = Run.start(endpoint, authorization);
        List<JavaSession> java = run.awaitJava();
        JsonNode ts = run.awaitTypeScript();

        for (JavaSession session : java) {
            assertThat(session.errors).as("Java session %s errors", session.index).isEmpty();
            assertThat(session.callsOk.get()).isEqualTo(CALLS);
            assertThat(session.listsOk.get()).isEqualTo(CALLS / LIST_EVERY);
            assertOneSessionThroughout(session);
        }
        for (JsonNode session : ts.path("sessions")) {
            assertThat(session.path("errors")).as("TypeScript session %s errors", session.path("index")).isEmpty();
            assertThat(session.path("callsOk").asInt()).isEqualTo(CALLS);
            assertThat(session.path("listsOk").asInt()).isEqualTo(CALLS / LIST_EVERY);
            assertOneSessionThroughout(session);
        }
        // Every call executed upstream exactly once: nothing lost, nothing re-sent.
        assertThat(stack.payments().executions("get_balance") - balancesBefore)
                .isEqualTo((long) (JAVA_SESSIONS + TS_SESSIONS) * CALLS);
        // Each replica served about a third of the requests (sessions were not pinned to the replica that opened them).
        Map<URI, Long> served = nginx.requestsByBackend();
        long total = served.values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).isGreaterThanOrEqualTo((long) (JAVA_SESSIONS + TS_SESSIONS) * REQUESTS_PER_SESSION);
        assertThat(served.values()).as("requests per replica: %s", served)
                .allSatisfy(n -> assertThat(n).isGreaterThan(total / 4));
    }

    @Test
    void sessionsCarryOnThroughTheSurvivorsWhenAReplicaDiesMidRunAndOnlyItsInFlightCallsFailWithAFailureClass() {
        long balancesBefore = stack.payments().executions("get_balance");
        LocalLambda victim = replicas.get(2);
        int javaTotal = JAVA_SESSIONS * REQUESTS_PER_SESSION;
        int tsTotal = TS_SESSIONS * REQUESTS_PER_SESSION;

        Run run = Run.start(endpoint, authorization);
        await("both clients are a third into their requests", () ->
                run.javaFinished.get() >= javaTotal / 3 && run.ts.requestsFinished() >= tsTotal / 3);
        Map<URI, Long> servedBeforeCrash = nginx.requestsByBackend();
        int javaAtCrash = run.javaFinished.get();
        int tsAtCrash = run.ts.requestsFinished();
        victim.crash();
        assertThat(javaAtCrash).as("the Java sessions were mid-run").isLessThan(javaTotal);
        assertThat(tsAtCrash).as("the TypeScript sessions were mid-run").isLessThan(tsTotal);

        List<JavaSession> java = run.awaitJava();
        JsonNode ts = run.awaitTypeScript();

        int failed = 0;
        for (JavaSession session : java) {
            assertThat(session.callsOk.get() + session.callErrors.get())
                    .as("Java session %s did all its calls", session.index).isEqualTo(CALLS);
            // The Java SDK puts the answer's body in its exception: "... status code: 502, response body: {...}"
            assertThat(session.errors).allSatisfy(message -> assertThat(message).contains("\"failureClass\":\"ambiguous\""));
            assertOneSessionThroughout(session);
            failed += session.errors.size();
        }
        for (JsonNode session : ts.path("sessions")) {
            assertThat(session.path("callsOk").asInt() + count(session.path("errors"), "callTool"))
                    .as("TypeScript session %s did all its calls", session.path("index")).isEqualTo(CALLS);
            // The TypeScript SDK: StreamableHTTPError, code = HTTP status, message "... Error POSTing to endpoint: {...}"
            assertThat(session.path("errors")).allSatisfy(error -> {
                assertThat(error.path("code").asInt()).isEqualTo(502);
                assertThat(error.path("message").asText()).contains("\"failureClass\":\"ambiguous\"");
            });
            assertOneSessionThroughout(session);
            failed += session.path("errors").size();
        }
        System.out.printf("replica crashed with %d of %d Java and %d of %d TypeScript requests done; %d failed, e.g.%n"
                        + "  Java: %s%n  TypeScript: %s%n", javaAtCrash, javaTotal, tsAtCrash, tsTotal, failed,
                java.stream().flatMap(s -> s.errors.stream()).findFirst().orElse("-"),
                elements(ts.path("sessions")).flatMap(s -> elements(s.path("errors"))).findFirst().orElse(null));
        // Each session has at most one request in flight, so at most one per session can have been lost with the replica.
        assertThat(failed).as("failed requests").isLessThanOrEqualTo(JAVA_SESSIONS + TS_SESSIONS);
        long executed = stack.payments().executions("get_balance") - balancesBefore;
        long ok = java.stream().mapToLong(s -> s.callsOk.get()).sum()
                + elements(ts.path("sessions")).mapToLong(s -> s.path("callsOk").asLong()).sum();
        assertThat(executed).as("calls executed upstream: every successful one, and a failed one at most once")
                .isBetween(ok, ok + failed);
        // What was left after the crash went through the two survivors.
        Map<URI, Long> servedAfter = nginx.requestsByBackend();
        long remaining = (long) javaTotal + tsTotal - javaAtCrash - tsAtCrash - failed;
        long bySurvivors = 0;
        for (LocalLambda survivor : replicas.subList(0, 2)) {
            long grew = servedAfter.get(survivor.baseUri()) - servedBeforeCrash.get(survivor.baseUri());
            assertThat(grew).as("requests served by %s after the crash", survivor.baseUri()).isPositive();
            bySurvivors += grew;
        }
        assertThat(bySurvivors).isGreaterThanOrEqualTo(remaining);
    }

    // ---- the clients

    /** Both clients' sessions, started together. */
    private static final class Run {
        final AtomicInteger javaFinished = new AtomicInteger();
        final List<JavaSession> javaSessions = new ArrayList<>();
        final List<Future<?>> javaRuns = new ArrayList<>();
        final ExecutorService executor = Executors.newFixedThreadPool(JAVA_SESSIONS);
        TypeScriptSessions ts;

        static Run start(URI endpoint, String authorization) {
            Run run = new Run();
            run.ts = TypeScriptSessions.start(endpoint, Map.of("Authorization", authorization),
                    new TypeScriptSessions.Scenario(TS_SESSIONS, CALLS, "get_balance", ARGUMENTS, LIST_EVERY));
            for (int i = 0; i < JAVA_SESSIONS; i++) {
                JavaSession session = new JavaSession(i, endpoint, authorization, run.javaFinished);
                run.javaSessions.add(session);
                run.javaRuns.add(run.executor.submit(session::run));
            }
            return run;
        }

        List<JavaSession> awaitJava() {
            try {
                for (Future<?> session : javaRuns) {
                    session.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                return javaSessions;
            } catch (Exception e) {
                throw new AssertionError("Java sessions did not finish", e);
            } finally {
                executor.shutdownNow();
            }
        }

        JsonNode awaitTypeScript() {
            try (TypeScriptSessions sessions = ts) {
                return sessions.await(RUN_TIMEOUT);
            }
        }
    }

    /**
     * One session of the official Java SDK client: initialize, then {@link #CALLS} tools/call with a tools/list
     * before every {@link #LIST_EVERY}-th, recording each failure and carrying on. The request customizer sees every
     * HTTP request the SDK sends: it counts initialize requests (the SDK re-initializes silently when a session is
     * reported gone) and collects the session ids sent.
     */
    private static final class JavaSession {
        final int index;
        final AtomicInteger callsOk = new AtomicInteger();
        final AtomicInteger callErrors = new AtomicInteger();
        final AtomicInteger listsOk = new AtomicInteger();
        final AtomicInteger initializeRequests = new AtomicInteger();
        final Set<String> sessionIds = ConcurrentHashMap.newKeySet();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final URI endpoint;
        private final String authorization;
        private final AtomicInteger finished;

        JavaSession(int index, URI endpoint, String authorization, AtomicInteger finished) {
            this.index = index;
            this.endpoint = endpoint;
            this.authorization = authorization;
            this.finished = finished;
        }

        void run() {
            HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                    .builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                    .endpoint(endpoint.getPath())
                    .httpRequestCustomizer((request, method, uri, body, context) -> {
                        request.header("Authorization", authorization);
                        if (body != null && body.contains("\"method\":\"initialize\"")) {
                            initializeRequests.incrementAndGet();
                        }
                        HttpRequest sent = request.copy().build();
                        sent.headers().firstValue("Mcp-Session-Id").ifPresent(sessionIds::add);
                    })
                    .build();
            McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(30))
                    .clientInfo(new McpSchema.Implementation("e2e-round-robin-" + index, "1.0"))
                    .build();
            try {
                client.initialize();
                for (int call = 0; call < CALLS; call++) {
                    if (call % LIST_EVERY == 0) {
                        attempt(() -> client.listTools(), listsOk, null);
                    }
                    attempt(() -> {
                        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("get_balance", ARGUMENTS));
                        if (Boolean.TRUE.equals(result.isError())) {
                            throw new AssertionError("tool error: " + result.content());
                        }
                    }, callsOk, callErrors);
                }
            } finally {
                client.closeGracefully();
            }
        }

        private void attempt(Runnable request, AtomicInteger ok, AtomicInteger failed) {
            try {
                request.run();
                ok.incrementAndGet();
            } catch (RuntimeException | AssertionError e) {
                errors.add(messages(e));
                if (failed != null) {
                    failed.incrementAndGet();
                }
            } finally {
                finished.incrementAndGet();
            }
        }

        private static String messages(Throwable e) {
            StringBuilder text = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
            }
            return text.toString();
        }
    }

    // ---- assertions

    private static void assertOneSessionThroughout(JavaSession session) {
        assertThat(session.initializeRequests.get()).as("initialize requests of Java session %s", session.index).isEqualTo(1);
        assertThat(session.sessionIds).as("session ids sent by Java session %s", session.index).hasSize(1);
    }

    private static void assertOneSessionThroughout(JsonNode session) {
        assertThat(session.path("connected").asBoolean()).as("connect: %s", session.path("connectError")).isTrue();
        assertThat(session.path("initializeRequests").asInt()).as("initialize requests of %s", session.path("index")).isEqualTo(1);
        assertThat(session.path("sessionIdAtEnd").asText()).isEqualTo(session.path("sessionId").asText()).isNotBlank();
    }

    private static Stream<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    private static int count(JsonNode errors, String op) {
        int n = 0;
        for (JsonNode error : errors) {
            if (error.path("op").asText().equals(op)) {
                n++;
            }
        }
        return n;
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(RUN_TIMEOUT);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // polling interval of the condition, not a wait for an outcome
        }
    }
}
