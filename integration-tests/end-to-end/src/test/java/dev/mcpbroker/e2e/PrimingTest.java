package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Priming (what a SnapStart snapshot is taken after, here run during init) exercises the first-request paths against
 * its own loopback fixture only: the packaged function primes every part, contacts no upstream, writes nothing to
 * its state table (no session, no audit event, no idempotency record), and serves normally afterwards.
 */
class PrimingTest {

    @Test
    void primingDuringInitContactsNoUpstreamWritesNoStateAndLeavesTheBrokerServing() {
        LocalBrokerStack stack = SharedStack.get();
        String table = "priming-state-" + UUID.randomUUID();
        SessionTableSetup.ensureTable(stack.aws().dynamoDb(), table);
        long upstreamRequests = stack.payments().mcpRequests();

        LocalLambda broker = stack.addBroker(Map.of("BROKER_PRIMING_AT_STARTUP", "true", "BROKER_SESSION_TABLE", table));
        try {
            broker.awaitReady(Duration.ofSeconds(120));

            assertThat(broker.functionLog()).contains("primed (init)")
                    .contains("[json-rpc, jwt, dynamodb, secretsmanager, upstream-http]").doesNotContain("not primed");
            assertThat(stack.payments().mcpRequests()).as("upstream requests while priming").isEqualTo(upstreamRequests);
            assertThat(stack.aws().dynamoDb().scan(b -> b.tableName(table)).count()).as("items written while priming").isZero();

            URI payments = broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
            String session = RawMcp.initialize(stack, payments);
            RawMcp.Reply balance = RawMcp.post(stack, payments, session, RawMcp.toolCall(2, "get_balance", "{\"account\":\"alice\"}"));
            assertThat(balance.body().path("result").path("content").get(0).path("text").asText()).contains("alice");
        } finally {
            broker.close();
        }
    }
}
