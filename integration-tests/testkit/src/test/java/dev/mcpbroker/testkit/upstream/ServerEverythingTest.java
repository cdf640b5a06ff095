package dev.mcpbroker.testkit.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.process.LoopbackOnly;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.mcpbroker.testkit.upstream.TypeScriptClient.callTool;
import static dev.mcpbroker.testkit.upstream.TypeScriptClient.listTools;
import static dev.mcpbroker.testkit.upstream.TypeScriptClient.ping;
import static dev.mcpbroker.testkit.upstream.TypeScriptClient.terminate;
import static org.assertj.core.api.Assertions.assertThat;

/** server-everything from npm. Its get-env tool is never called here: it would dump the process environment. */
class ServerEverythingTest {

    private static ServerEverything server;

    @BeforeAll
    static void start() {
        long t0 = System.nanoTime();
        NodeTools.nodeModules();
        long t1 = System.nanoTime();
        server = ServerEverything.start();
        System.out.printf("node ready in %d ms; server-everything %s ready in %d ms at %s%n",
                (t1 - t0) / 1_000_000, ServerEverything.VERSION, (System.nanoTime() - t1) / 1_000_000, server.mcpEndpoint());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nodeIsAtLeast22() {
        assertThat(NodeTools.majorVersion(NodeTools.node())).isGreaterThanOrEqualTo(NodeTools.MIN_NODE_MAJOR);
    }

    @Test
    void listensOnLoopbackOnly() {
        LoopbackOnly.assertListensOnLoopbackOnly(server.port());
    }

    @Test
    void theTypeScriptSdkClientListsAndCallsItsTools() {
        JsonNode out = TypeScriptClient.run(server.mcpEndpoint(), Map.of(), List.of(
                listTools(), callTool("echo", Map.of("message", "hello broker")), ping(), terminate()));

        assertThat(out.path("connected").asBoolean()).isTrue();
        assertThat(out.path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(out.path("sessionId").asText()).isNotBlank();
        List<String> names = out.path("steps").get(0).path("result").path("tools").findValuesAsText("name");
        assertThat(names).contains("echo", "get-sum");
        assertThat(out.path("steps").get(1).path("result").path("content").get(0).path("text").asText())
                .contains("hello broker");
        assertThat(out.path("steps").get(2).has("error")).isFalse();
        assertThat(out.path("steps").get(3).path("result").path("terminated").asBoolean()).isTrue();
    }
}
