package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.upstream.TypeScriptClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official TypeScript SDK client (@modelcontextprotocol/sdk), unchanged, through the broker. */
class TypeScriptClientTest {

    private static LocalBrokerStack stack;

    @BeforeAll
    static void stack() {
        stack = SharedStack.get();
    }

    private static JsonNode step(JsonNode run, int index) {
        JsonNode step = run.path("steps").get(index);
        assertThat(step.has("error")).as("step %s failed: %s", index, step.path("error")).isFalse();
        return step.path("result");
    }

    @Test
    void typeScriptSdkListsCallsAndTerminatesAPaymentsSession() {
        long transfersBefore = stack.payments().executions("transfer");
        JsonNode run = TypeScriptClient.run(stack.endpoint(0, LocalBrokerStack.PAYMENTS), stack.devAuthorization(), List.of(
                TypeScriptClient.listTools(),
                TypeScriptClient.callTool("get_balance", Map.of("account", "bob")),
                TypeScriptClient.callTool("transfer", Map.of("from", "bob", "to", "carol", "amountCents", 50),
                        Map.of("dev.mcpbroker/idempotencyKey", "ts-sdk-" + java.util.UUID.randomUUID())),
                TypeScriptClient.terminate()));

        assertThat(run.path("connected").asBoolean()).as("connect: %s", run.path("connectError")).isTrue();
        assertThat(run.path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(run.path("serverInfo").path("name").asText()).isEqualTo("demo-payments");
        assertThat(step(run, 0).path("tools").findValuesAsText("name")).contains("transfer", "get_balance");
        assertThat(step(run, 1).path("content").get(0).path("text").asText()).contains("bob");
        assertThat(step(run, 2).path("isError").asBoolean(false)).isFalse();
        step(run, 3);
        assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 1);

        // terminateSession sent DELETE: the broker no longer knows the session.
        String session = run.path("sessionId").asText();
        assertThat(RawMcp.post(stack, stack.endpoint(0, LocalBrokerStack.PAYMENTS), session,
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status()).isEqualTo(404);
    }

    @Test
    void typeScriptSdkUsesServerEverythingThroughTheBroker() {
        JsonNode run = TypeScriptClient.run(stack.endpoint(0, LocalBrokerStack.EVERYTHING), stack.devAuthorization(), List.of(
                TypeScriptClient.listTools(),
                TypeScriptClient.callTool("echo", Map.of("message", "ts through the broker")),
                TypeScriptClient.listResources(),
                TypeScriptClient.listPrompts(),
                TypeScriptClient.ping(),
                TypeScriptClient.terminate()));

        assertThat(run.path("connected").asBoolean()).as("connect: %s", run.path("connectError")).isTrue();
        assertThat(step(run, 0).path("tools").findValuesAsText("name")).contains("echo");
        assertThat(step(run, 1).path("content").get(0).path("text").asText()).contains("ts through the broker");
        assertThat(step(run, 2).path("resources").size()).isPositive();
        assertThat(step(run, 3).path("prompts").size()).isPositive();
        step(run, 4);
        step(run, 5);
    }

    @Test
    void typeScriptSdkContinuesASessionOnAnotherBrokerProcess() {
        JsonNode first = TypeScriptClient.run(stack.endpoint(0, LocalBrokerStack.PAYMENTS), stack.devAuthorization(),
                List.of(TypeScriptClient.listTools()));
        String session = first.path("sessionId").asText();
        assertThat(session).isNotBlank();

        JsonNode second = TypeScriptClient.resume(stack.endpoint(1, LocalBrokerStack.PAYMENTS), stack.devAuthorization(), session, List.of(
                TypeScriptClient.callTool("get_balance", Map.of("account", "alice")),
                TypeScriptClient.terminate()));
        assertThat(step(second, 0).path("content").get(0).path("text").asText()).contains("alice");
        step(second, 1);
        assertThat(stack.broker(0).functionPid()).isNotEqualTo(stack.broker(1).functionPid());
    }
}
