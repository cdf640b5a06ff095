package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions recover from failures of the processes around them: a broker killed mid-initialize does not
 * keep its capacity slot beyond a bounded time, and an upstream that forgets a session (server-everything
 * answers 400 "No valid session ID provided") gets it re-opened without the agent noticing.
 */
@Timeout(180)
class SessionRecoveryTest {

    private static final Duration INITIALIZE_LEASE = Duration.ofSeconds(4);
    private static LocalBrokerStack stack;

    @BeforeAll
    static void stack() {
        stack = SharedStack.get();
    }

    @Test
    void aBrokerKilledMidInitializeLosesItsSessionSlotAfterTheInitializeLease() throws Exception {
        String server = "capped-" + Long.toHexString(System.nanoTime());
        stack.policyAdmin().registerServer(server, stack.payments().mcpEndpoint(), UpstreamAuth.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(25));
        stack.policyAdmin().grant(LocalBrokerStack.DEV_AGENT, LocalBrokerStack.DEV_TENANT, new ServerGrant(server, null));
        stack.policyAdmin().setSessionLimits(server, new SessionLimits(OptionalInt.of(1), 0));
        Map<String, String> capacity = Map.of(
                "BROKER_SESSION_CAPACITY_INITIALIZE_LEASE", INITIALIZE_LEASE.toString(),
                "BROKER_SESSION_CAPACITY_QUEUE_DEPTH", "0");
        LocalLambda doomed = stack.addBroker(capacity);
        LocalLambda survivor = stack.addBroker(capacity);
        try {
            URI doomedEndpoint = doomed.baseUri().resolve("/mcp/" + server);
            URI survivorEndpoint = survivor.baseUri().resolve("/mcp/" + server);
            long initializes = stack.payments().initializes();
            stack.payments().hangNextInitialize();
            CompletableFuture<RawMcp.Reply> stuck = CompletableFuture.supplyAsync(
                    () -> RawMcp.post(stack, doomedEndpoint, null, RawMcp.INITIALIZE));
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
            while (stack.payments().initializes() == initializes) {
                // until the doomed broker holds the slot and waits on the upstream
                assertThat(java.time.Instant.now()).as("the initialize reached the upstream").isBefore(deadline);
                Thread.onSpinWait();
            }
            Instant killedAt = Instant.now();
            doomed.killFunction();

            RawMcp.Reply refused = RawMcp.post(stack, survivorEndpoint, null, RawMcp.INITIALIZE);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body().path("error").path("data").path("reason").asText()).isEqualTo("session_capacity_exhausted");
            assertThat(refused.body().path("error").path("data").path("failureClass").asText()).isEqualTo("not_executed");

            RawMcp.Reply opened = refused;
            while (opened.status() != 200 && Instant.now().isBefore(killedAt.plus(INITIALIZE_LEASE.multipliedBy(3)))) {
                opened = RawMcp.post(stack, survivorEndpoint, null, RawMcp.INITIALIZE);
            }
            assertThat(opened.status()).isEqualTo(200);
            assertThat(Duration.between(killedAt, Instant.now())).isLessThan(INITIALIZE_LEASE.multipliedBy(3));
            assertThat(stuck.isDone() ? stuck.get().status() : 503).isNotEqualTo(200);
        } finally {
            doomed.close();
            survivor.close();
        }
    }

    @Test
    void serverEverythingForgettingTheSessionIsHealedForAReadOnlyRequest() throws Exception {
        LocalLambda broker = stack.broker(0);
        URI everything = broker.baseUri().resolve("/mcp/" + LocalBrokerStack.EVERYTHING);
        String session = RawMcp.initialize(stack, everything);
        DynamoDbSessionStore sessions = new DynamoDbSessionStore(stack.aws().dynamoDb(), LocalBrokerStack.TABLE);
        String lost = sessions.find(session).map(BrokerSession::upstreamSessionId).orElseThrow();

        HttpResponse<String> ended = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stack.everything().mcpEndpoint())
                .header("Mcp-Session-Id", lost).header("MCP-Protocol-Version", "2025-11-25").DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ended.statusCode()).isBetween(200, 299);

        RawMcp.Reply list = RawMcp.post(stack, everything, session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}");

        assertThat(list.status()).isEqualTo(200);
        JsonNode tools = list.body().path("result").path("tools");
        assertThat(tools.findValuesAsText("name")).contains("echo");
        assertThat(sessions.find(session).map(BrokerSession::upstreamSessionId).orElseThrow()).isNotEqualTo(lost);
    }
}
