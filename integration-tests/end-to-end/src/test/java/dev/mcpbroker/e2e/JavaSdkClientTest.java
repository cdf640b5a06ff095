package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official MCP Java SDK client, unchanged, talking to real upstreams through the broker. */
class JavaSdkClientTest {

    private static LocalBrokerStack stack;

    @BeforeAll
    static void stack() {
        stack = SharedStack.get();
    }

    private static McpSyncClient client(URI endpoint) {
        return JavaSdkAgents.connect(endpoint, stack.devAuthorization().get("Authorization"), "e2e-java-sdk");
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void javaSdkListsAndCallsPaymentsToolsThroughTheBroker() {
        long transfersBefore = stack.payments().executions("transfer");
        McpSyncClient client = client(stack.endpoint(0, LocalBrokerStack.PAYMENTS));
        try {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("demo-payments");
            assertThat(init.protocolVersion()).isEqualTo("2025-11-25");

            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .contains("transfer", "get_balance", "list_transfers");

            McpSchema.CallToolResult balance = client.callTool(new McpSchema.CallToolRequest("get_balance", Map.of("account", "alice")));
            assertThat(balance.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(text(balance)).contains("alice");

            // A state-changing tool carries an idempotency key in _meta; the retry replays, it does not pay twice.
            McpSchema.CallToolRequest pay = new McpSchema.CallToolRequest("transfer",
                    Map.of("from", "alice", "to", "bob", "amountCents", 125),
                    Map.of("dev.mcpbroker/idempotencyKey", "java-sdk-" + java.util.UUID.randomUUID()));
            McpSchema.CallToolResult transfer = client.callTool(pay);
            assertThat(transfer.isError()).isNotEqualTo(Boolean.TRUE);
            McpSchema.CallToolResult retried = client.callTool(pay);
            assertThat(retried.structuredContent()).isEqualTo(transfer.structuredContent());
            assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 1);

            // Without a key the broker refuses before the upstream, as a JSON-RPC error the SDK surfaces.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("transfer",
                    Map.of("from", "alice", "to", "bob", "amountCents", 1))))
                    .isInstanceOf(io.modelcontextprotocol.spec.McpError.class).hasMessageContaining("Idempotency-Key");
            assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 1);

            client.ping();
        } finally {
            assertThat(client.closeGracefully()).isTrue();
        }
    }

    @Test
    void javaSdkUsesEveryRelayedMethodOnServerEverything() {
        McpSyncClient client = client(stack.endpoint(1, LocalBrokerStack.EVERYTHING));
        try {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.protocolVersion()).isEqualTo("2025-11-25");

            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).contains("echo");
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "through the broker")));
            assertThat(text(echo)).contains("through the broker");

            McpSchema.ListResourcesResult resources = client.listResources();
            assertThat(resources.resources()).isNotEmpty();
            McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest(resources.resources().get(0).uri()));
            assertThat(read.contents()).isNotEmpty();
            assertThat(client.listResourceTemplates().resourceTemplates()).isNotNull();

            McpSchema.ListPromptsResult prompts = client.listPrompts();
            McpSchema.Prompt simple = prompts.prompts().stream()
                    .filter(p -> p.arguments() == null || p.arguments().stream().noneMatch(a -> Boolean.TRUE.equals(a.required())))
                    .findFirst().orElseThrow();
            assertThat(client.getPrompt(new McpSchema.GetPromptRequest(simple.name(), Map.of())).messages()).isNotEmpty();

            client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
            client.ping();
        } finally {
            assertThat(client.closeGracefully()).isTrue();
        }
    }
}
