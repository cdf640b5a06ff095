package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.process.ToggleableProxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults of whole processes and dependencies, on packaged broker instances. */
class FaultToleranceTest {

    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    private static LocalBrokerStack stack;

    @BeforeAll
    static void stack() {
        stack = SharedStack.get();
    }

    private static URI payments(LocalLambda broker) {
        return broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }

    private static String authorization() {
        return stack.devAuthorization().get("Authorization");
    }

    private static String transfer(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":3}}}";
    }

    private static String outcomeStatus(LocalLambda broker, String session, String key) {
        return RawMcp.post(payments(broker), authorization(), session, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":"
                + "\"mcp-broker/outcome\",\"params\":{\"tool\":\"transfer\",\"idempotencyKey\":\"" + key + "\"}}")
                .body().path("result").path("status").asText();
    }

    private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.get()) {
            assertThat(Instant.now()).as(what).isBefore(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void brokerKilledMidCallLeavesTheOutcomeUnknownAndARetryNeverExecutesAgain() throws Exception {
        // A short lease, so an abandoned claim turns unknown within the test.
        Map<String, String> config = Map.of("BROKER_IDEMPOTENCY_LEASE", "PT3S");
        LocalLambda victim = stack.addBroker(config);
        LocalLambda survivor = stack.addBroker(config);
        try {
            String session = RawMcp.initialize(stack, payments(victim));
            RawMcp.post(stack, payments(victim), session, TOOLS_LIST);
            String key = "killed-broker-" + UUID.randomUUID();
            long before = stack.payments().executions("transfer");
            stack.payments().hangNextTransfer();

            CompletableFuture<RawMcp.Reply> call = CompletableFuture.supplyAsync(() ->
                    RawMcp.post(payments(victim), authorization(), session, transfer(2), Map.of("Idempotency-Key", key)));
            await("the transfer reached the upstream", Duration.ofSeconds(20),
                    () -> stack.payments().executions("transfer") == before + 1);
            victim.killFunction();
            assertThat(call.get().status()).as("what API Gateway answers when the function dies").isEqualTo(500);

            // Another instance serves the same session; the claim is in progress until its lease runs out.
            await("the abandoned claim is reported unknown", Duration.ofSeconds(20),
                    () -> outcomeStatus(survivor, session, key).equals("UNKNOWN"));
            RawMcp.Reply retry = RawMcp.post(payments(survivor), authorization(), session, transfer(3),
                    Map.of("Idempotency-Key", key));
            assertThat(retry.body().path("error").path("data").path("reason").asText()).isEqualTo("outcome_unknown");
            assertThat(retry.body().path("error").path("data").path("failureClass").asText()).isEqualTo("ambiguous");
            assertThat(stack.payments().executions("transfer")).isEqualTo(before + 1);
        } finally {
            victim.close();
            survivor.close();
        }
    }

    @Test
    void unreachableDynamoDbMeansNotExecutedAndNoUpstreamContact() {
        try (ToggleableProxy dynamoDb = ToggleableProxy.to(stack.aws().dynamoDbEndpoint())) {
            // Grants and registry stay cached; the session read and the idempotency claim cannot be.
            LocalLambda broker = stack.addBroker(Map.of(
                    "BROKER_AWS_DYNAMODB_ENDPOINT", dynamoDb.endpoint().toString(),
                    "BROKER_POLICY_CACHE_TTL", "PT60S"));
            try {
                String session = RawMcp.initialize(stack, payments(broker));
                RawMcp.post(stack, payments(broker), session, TOOLS_LIST);
                dynamoDb.cut();
                long requests = stack.payments().mcpRequests();

                for (RawMcp.Reply reply : new RawMcp.Reply[] {
                        RawMcp.post(stack, payments(broker), session, TOOLS_LIST),
                        RawMcp.post(payments(broker), authorization(), session, transfer(4),
                                Map.of("Idempotency-Key", "ddb-down-" + UUID.randomUUID()))}) {
                    assertThat(reply.status()).isEqualTo(503);
                    assertThat(reply.body().path("error").path("data").path("reason").asText()).isEqualTo("state_unavailable");
                    assertThat(reply.body().path("error").path("data").path("failureClass").asText()).isEqualTo("not_executed");
                }
                assertThat(stack.payments().mcpRequests()).isEqualTo(requests);

                dynamoDb.restore();
                assertThat(RawMcp.post(stack, payments(broker), session, TOOLS_LIST).status()).isEqualTo(200);
            } finally {
                broker.close();
            }
        }
    }

    @Test
    void auditTrailThatCannotRecordRefusesEveryUpstreamContactAsNotExecuted() {
        LocalLambda broker = stack.addBroker(Map.of("BROKER_AUDIT_OUTBOX_TABLE", "no-such-audit-outbox"));
        try {
            long requests = stack.payments().mcpRequests();
            RawMcp.Reply refused = RawMcp.post(stack, payments(broker), null, RawMcp.INITIALIZE);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body().path("error").path("data").path("reason").asText()).isEqualTo("audit_unavailable");
            assertThat(refused.body().path("error").path("data").path("failureClass").asText()).isEqualTo("not_executed");
            assertThat(stack.payments().mcpRequests()).as("fail closed: nothing reached the upstream").isEqualTo(requests);
        } finally {
            broker.close();
        }
    }
}
