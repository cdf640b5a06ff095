package dev.mcpbroker.testkit.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.process.LoopbackOnly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.mcpbroker.testkit.upstream.TypeScriptClient.callTool;
import static dev.mcpbroker.testkit.upstream.TypeScriptClient.listTools;
import static dev.mcpbroker.testkit.upstream.TypeScriptClient.terminate;
import static org.assertj.core.api.Assertions.assertThat;

class DemoUpstreamTest {

    private static DemoUpstream upstream;

    @BeforeAll
    static void start() {
        long t0 = System.nanoTime();
        upstream = DemoUpstream.start();
        System.out.printf("demo upstream ready in %d ms at %s%n", (System.nanoTime() - t0) / 1_000_000, upstream.mcpEndpoint());
        // warm the node side (install on first use) outside the timed tests
        NodeTools.nodeModules();
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(upstream.mcpEndpoint().toString()).isEqualTo("http://127.0.0.1:" + upstream.port() + "/mcp");
        LoopbackOnly.assertListensOnLoopbackOnly(upstream.port());
    }

    @Test
    void theTypeScriptSdkClientExecutesATransferOnce() {
        long t0 = System.nanoTime();
        JsonNode out = TypeScriptClient.run(upstream.mcpEndpoint(), Map.of("Authorization", "Bearer agent-token"), List.of(
                listTools(),
                callTool("transfer", Map.of("from", "alice", "to", "bob", "amountCents", 2500, "memo", "rent")),
                terminate()));
        System.out.printf("ts-client scenario took %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        assertThat(out.path("connected").asBoolean()).isTrue();
        assertThat(out.path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(out.path("serverInfo").path("name").asText()).isEqualTo("demo-payments");
        assertThat(out.path("sessionId").asText()).isNotBlank();
        JsonNode tools = out.path("steps").get(0).path("result").path("tools");
        assertThat(tools.findValuesAsText("name")).containsExactlyInAnyOrder("transfer", "get_balance", "list_transfers", "echo_credentials",
                "echo_trace_context", "diagnostics");
        JsonNode transfer = out.path("steps").get(1).path("result");
        assertThat(transfer.path("isError").asBoolean()).isFalse();
        assertThat(transfer.path("structuredContent").path("balances").path("alice").asLong()).isEqualTo(97_500L);
        assertThat(out.path("steps").get(2).path("result").path("terminated").asBoolean()).isTrue();

        assertThat(upstream.executions("transfer")).isEqualTo(1);
        assertThat(upstream.executions()).containsEntry("get_balance", 0L).containsEntry("list_transfers", 0L);
        assertThat(upstream.balances()).containsEntry("alice", 97_500L).containsEntry("bob", 52_500L);
        // direct, without a broker: the agent's header arrives as sent
        assertThat(upstream.lastRequestHeaders()).containsEntry("authorization", "Bearer agent-token")
                .containsEntry("mcp-session-id", out.path("sessionId").asText());
    }

    @Test
    void insufficientFundsIsAToolErrorNotAProtocolError() {
        JsonNode out = TypeScriptClient.run(upstream.mcpEndpoint(), Map.of(), List.of(
                callTool("transfer", Map.of("from", "carol", "to", "alice", "amountCents", 1))));
        JsonNode step = out.path("steps").get(0);
        assertThat(step.has("error")).isFalse();
        assertThat(step.path("result").path("isError").asBoolean()).isTrue();
        assertThat(step.path("result").path("content").get(0).path("text").asText()).startsWith("insufficient funds");
    }

    @Test
    void anIdempotencyKeyInMetaIsHonoured() {
        Map<String, Object> args = Map.of("from", "alice", "to", "carol", "amountCents", 10);
        Map<String, Object> meta = Map.of("dev.mcpbroker/idempotencyKey", "k-42");
        JsonNode out = TypeScriptClient.run(upstream.mcpEndpoint(), Map.of(), List.of(
                callTool("transfer", args, meta), callTool("transfer", args, meta)));
        assertThat(out.path("steps").get(1).path("result").path("structuredContent").path("replayed").asBoolean()).isTrue();
        assertThat(upstream.executions("transfer")).isEqualTo(1);
    }

    @Test
    void aHungTransferExecutesThenTheUpstreamDiesBeforeAnswering() throws Exception {
        try (DemoUpstream doomed = DemoUpstream.start()) {
            doomed.hangNextTransfer();
            CompletableFuture<JsonNode> call = CompletableFuture.supplyAsync(() -> TypeScriptClient.run(
                    doomed.mcpEndpoint(), Map.of(),
                    List.of(callTool("transfer", Map.of("from", "alice", "to", "bob", "amountCents", 100))),
                    Duration.ofSeconds(30)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (doomed.executions("transfer") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling a condition
            }
            assertThat(doomed.executions("transfer")).isEqualTo(1);
            assertThat(doomed.balances()).containsEntry("bob", 50_100L);
            assertThat(call).isNotDone();

            doomed.kill();

            assertThat(doomed.isAlive()).isFalse();
            JsonNode error = call.get(30, TimeUnit.SECONDS).path("steps").get(0).path("error");
            assertThat(error.path("message").asText()).isNotBlank();
        }
    }
}
