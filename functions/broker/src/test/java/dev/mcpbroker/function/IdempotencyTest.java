package dev.mcpbroker.function;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.function.telemetry.CapturedTelemetry;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import io.quarkus.test.common.QuarkusTestResource;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * State-changing tools run at most once per idempotency key, through the function's real path, DynamoDB
 * and the demo ledger, whose execution counter is the proof.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class IdempotencyTest {

    private static final String PAYMENTS = BrokerTestResources.PAYMENTS;
    /** Its own demo server, so a test may kill it without disturbing the others. */
    private static final String FRAGILE = "fragile";
    private static DemoUpstream fragile;

    @Inject
    OpenTelemetry openTelemetry;
    @Inject
    InMemorySpanExporter spanExporter;
    @Inject
    InMemoryMetricExporter metricExporter;

    @BeforeAll
    static void fragileServer() {
        fragile = DemoUpstream.start();
        BrokerTestResources.admin().registerServer(FRAGILE, fragile.mcpEndpoint(), UpstreamAuth.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(20));
        BrokerTestResources.admin().grant(AGENT_A, BrokerTestResources.TENANT, new ServerGrant(FRAGILE, null));
    }

    @AfterAll
    static void stopFragile() {
        fragile.close();
    }

    private static RequestSpecification agent() {
        return given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token(AGENT_A));
    }

    private static String open(String server) {
        String session = agent().body("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"idempotency-test","version":"1.0"}}}""")
                .post("/mcp/" + server).then().statusCode(200).extract().header("Mcp-Session-Id");
        return session;
    }

    private static Response call(String server, String session, String key, String body) {
        RequestSpecification spec = agent().header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        if (key != null) {
            spec = spec.header("Idempotency-Key", key);
        }
        return spec.body(body).post("/mcp/" + server);
    }

    private static String transfer(int id, long cents) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":" + cents + "}}}";
    }

    private static Response outcome(String server, String session, String key) {
        return call(server, session, null, "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"mcp-broker/outcome\","
                + "\"params\":{\"tool\":\"transfer\",\"idempotencyKey\":\"" + key + "\"}}");
    }

    private static String key() {
        return "k-" + UUID.randomUUID();
    }

    @Test
    void stateChangingCallWithoutAKeyIsRefusedBeforeTheUpstream() {
        String session = open(PAYMENTS);
        long requests = BrokerTestResources.payments().mcpRequests();
        long transfers = BrokerTestResources.payments().executions("transfer");
        // The broker may list the tools first to learn which only read; that is the only upstream contact.
        Response response = call(PAYMENTS, session, null, transfer(2, 100));
        response.then().statusCode(200);
        assertThat(response.jsonPath().getString("error.data.reason")).isEqualTo("idempotency_key_required");
        assertThat(response.jsonPath().getString("error.data.failureClass")).isEqualTo("deterministic");
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers);
        assertThat(BrokerTestResources.payments().mcpRequests() - requests).isLessThanOrEqualTo(1);
    }

    @Test
    void callsOfAToolTheUpstreamDoesNotListAskForTheListOnlyOnce() {
        String session = open(PAYMENTS);
        String ghost = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"no_such_tool\",\"arguments\":{}}}";
        call(PAYMENTS, session, key(), ghost).then().statusCode(200);
        long requests = BrokerTestResources.payments().mcpRequests();
        call(PAYMENTS, session, key(), ghost).then().statusCode(200);
        assertThat(BrokerTestResources.payments().mcpRequests() - requests).as("only the call itself").isEqualTo(1);
    }

    @Test
    void readOnlyToolNeedsNoKey() {
        String session = open(PAYMENTS);
        call(PAYMENTS, session, null, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"get_balance\",\"arguments\":{\"account\":\"alice\"}}}")
                .then().statusCode(200).body("result.isError", org.hamcrest.Matchers.equalTo(false));
    }

    @Test
    void retryWithTheSameKeyReplaysTheStoredResultWithoutExecutingAgain() {
        String session = open(PAYMENTS);
        String key = key();
        long transfers = BrokerTestResources.payments().executions("transfer");
        Response first = call(PAYMENTS, session, key, transfer(2, 100));
        first.then().statusCode(200);
        // the upstream gets a key derived from the whole scope, never the agent's own: other tenants' keys cannot collide
        assertThat(BrokerTestResources.payments().lastRequestHeaders().get("idempotency-key"))
                .matches("[A-Za-z0-9_-]{43}").isNotEqualTo(key);

        // Another session, even: the key belongs to the agent, not to the connection.
        Response retry = call(PAYMENTS, open(PAYMENTS), key, transfer(7, 100));
        retry.then().statusCode(200);
        assertThat(retry.jsonPath().getInt("id")).isEqualTo(7);
        assertThat(retry.jsonPath().getString("result.structuredContent.transferId"))
                .isEqualTo(first.jsonPath().getString("result.structuredContent.transferId"));
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers + 1);

        Response outcome = outcome(PAYMENTS, session, key);
        assertThat(outcome.jsonPath().getString("result.status")).isEqualTo("COMPLETED");
        assertThat(outcome.jsonPath().getString("result.response.result.structuredContent.transferId"))
                .isEqualTo(first.jsonPath().getString("result.structuredContent.transferId"));
        assertThat(outcome(PAYMENTS, session, key()).jsonPath().getString("result.status")).isEqualTo("NONE");
    }

    @Test
    void sameKeyWithOtherArgumentsIsRefusedAsReuse() {
        String session = open(PAYMENTS);
        String key = key();
        call(PAYMENTS, session, key, transfer(2, 100)).then().statusCode(200);
        long transfers = BrokerTestResources.payments().executions("transfer");
        Response reuse = call(PAYMENTS, session, key, transfer(3, 999));
        assertThat(reuse.jsonPath().getString("error.data.reason")).isEqualTo("idempotency_key_reused");
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers);
    }

    @Test
    void keyInMetaWorksLikeTheHeader() {
        String session = open(PAYMENTS);
        String key = key();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"from\":\"alice\",\"to\":\"carol\",\"amountCents\":5},"
                + "\"_meta\":{\"dev.mcpbroker/idempotencyKey\":\"" + key + "\"}}}";
        long transfers = BrokerTestResources.payments().executions("transfer");
        call(PAYMENTS, session, null, body).then().statusCode(200);
        call(PAYMENTS, session, null, body).then().statusCode(200);
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers + 1);
    }

    @Test
    void fiftyConcurrentCallsWithOneKeyExecuteExactlyOnce() throws Exception {
        String session = open(PAYMENTS);
        call(PAYMENTS, session, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").then().statusCode(200);
        String key = key();
        long transfers = BrokerTestResources.payments().executions("transfer");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int id = 100 + i;
                calls.add(pool.submit(() -> call(PAYMENTS, session, key, transfer(id, 1))));
            }
            int replayedOrExecuted = 0;
            int inFlight = 0;
            for (Future<Response> call : calls) {
                Response response = call.get();
                response.then().statusCode(200);
                if (response.jsonPath().get("result") != null) {
                    replayedOrExecuted++;
                } else {
                    assertThat(response.jsonPath().getString("error.data.reason")).isEqualTo("idempotency_in_progress");
                    assertThat(response.jsonPath().getLong("error.data.retryAfter")).isPositive();
                    inFlight++;
                }
            }
            assertThat(replayedOrExecuted + inFlight).isEqualTo(50);
            assertThat(replayedOrExecuted).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers + 1);
    }

    @Test
    void upstreamKilledAfterExecutingLeavesTheOutcomeUnknownAndNeverExecutesAgain() throws Exception {
        CapturedTelemetry telemetry = new CapturedTelemetry(openTelemetry, spanExporter, metricExporter);
        telemetry.reset();
        String session = open(FRAGILE);
        call(FRAGILE, session, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").then().statusCode(200);
        String key = key();
        fragile.hangNextTransfer();
        // the server is shared with other tests of this class, which may have run transfers on it already
        long executedBefore = fragile.executions("transfer");
        CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(() -> call(FRAGILE, session, key, transfer(2, 100)));
        Instant deadline = Instant.now().plusSeconds(20);
        while (fragile.executions("transfer") <= executedBefore) {
            assertThat(Instant.now()).as("the transfer reached the upstream").isBefore(deadline);
            Thread.onSpinWait();
        }
        fragile.kill();

        Response dropped = inFlight.get();
        assertThat(dropped.jsonPath().getString("error.data.failureClass")).isEqualTo("ambiguous");
        assertThat(outcome(FRAGILE, session, key).jsonPath().getString("result.status")).isEqualTo("UNKNOWN");

        // The server comes back; a retry with the same key is refused by the broker, never re-executed.
        fragile = DemoUpstream.start();
        BrokerTestResources.admin().registerServer(FRAGILE, fragile.mcpEndpoint(), UpstreamAuth.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(20));
        String fresh = open(FRAGILE);
        long requestsBefore = fragile.mcpRequests();
        Response retry = call(FRAGILE, fresh, key, transfer(3, 100));
        assertThat(retry.jsonPath().getString("error.data.reason")).isEqualTo("outcome_unknown");
        assertThat(retry.jsonPath().getString("error.data.failureClass")).isEqualTo("ambiguous");
        assertThat(fragile.executions("transfer")).isZero();
        assertThat(fragile.mcpRequests() - requestsBefore).as("at most a tools/list to learn annotations").isLessThanOrEqualTo(1);

        // the lost answer is counted as an outcome turned unknown, the refused retry as an "unknown" decision
        assertThat(telemetry.counterPoints("mcp.broker.idempotency.outcomes_unknown").stream()
                .mapToLong(io.opentelemetry.sdk.metrics.data.LongPointData::getValue).sum()).isEqualTo(1);
        assertThat(telemetry.counterPoints("mcp.broker.idempotency.decisions").stream()
                .filter(point -> "unknown".equals(point.getAttributes().get(AttributeKey.stringKey("mcp.broker.idempotency.decision"))))
                .mapToLong(io.opentelemetry.sdk.metrics.data.LongPointData::getValue).sum()).isEqualTo(1);
    }

    @Test
    void registryOverridesOutrankAnnotationsAndTheServerKeyPolicyOutranksTheDefault() {
        String session = open(FRAGILE);
        call(FRAGILE, session, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").then().statusCode(200);
        String balance = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"get_balance\",\"arguments\":{\"account\":\"alice\"}}}";
        BrokerTestResources.admin().setToolKind(FRAGILE, "get_balance",
                dev.mcpbroker.sessiontable.policy.PolicyAdmin.ToolKind.STATE_CHANGING);
        BrokerTestResources.admin().setKeyPolicy(FRAGILE, null);
        try {
            // Annotated read-only upstream, declared state-changing by the operator: a key is now required.
            assertThat(call(FRAGILE, session, null, balance).jsonPath().getString("error.data.reason"))
                    .isEqualTo("idempotency_key_required");
            // This server's policy makes keys optional: the call runs without one.
            BrokerTestResources.admin().setKeyPolicy(FRAGILE, false);
            long transfers = fragile.executions("transfer");
            call(FRAGILE, session, null, transfer(3, 1)).then().statusCode(200)
                    .body("result.isError", org.hamcrest.Matchers.equalTo(false));
            assertThat(fragile.executions("transfer")).isEqualTo(transfers + 1);
        } finally {
            BrokerTestResources.admin().setToolKind(FRAGILE, "get_balance",
                    dev.mcpbroker.sessiontable.policy.PolicyAdmin.ToolKind.AS_ANNOTATED);
            BrokerTestResources.admin().setKeyPolicy(FRAGILE, null);
        }
        call(FRAGILE, session, null, balance).then().statusCode(200).body("result.isError", org.hamcrest.Matchers.equalTo(false));
    }
}
