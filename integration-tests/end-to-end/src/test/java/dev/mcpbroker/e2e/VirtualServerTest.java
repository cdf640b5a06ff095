package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.sessiontable.policy.DynamoDbVirtualServerRegistry;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream.Mode;
import dev.mcpbroker.testkit.upstream.TypeScriptClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A virtual server over three real upstreams — the demo payments server (prefix {@code pay}), a conformance fixture
 * of the 2026-07-28 generation only (prefix {@code mod}) and one of 2025-11-25 only (prefix {@code leg}) — used by the
 * official Java SDK client and the TypeScript SDK client, both unchanged, through broker processes: merged lists in
 * member order, prefixed names routed to their member, replayed payments, and one member down.
 */
class VirtualServerTest {

    private static final String MODERN = "virtual-modern";
    private static final String LEGACY = "virtual-legacy";
    private static final String DOOMED = "virtual-doomed";
    private static final String VIRTUAL = "suite-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String PARTLY_DOWN = "partly-down-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String WITH_REFERENCE = "reference-" + UUID.randomUUID().toString().substring(0, 8);

    private static LocalBrokerStack stack;
    private static ConformanceUpstream modern;
    private static ConformanceUpstream legacy;
    private static ConformanceUpstream doomed;

    @BeforeAll
    static void threeUpstreamsBehindOneName() {
        stack = SharedStack.get();
        modern = ConformanceUpstream.start(Mode.MODERN_ONLY);
        legacy = ConformanceUpstream.start(Mode.LEGACY_ONLY);
        doomed = ConformanceUpstream.start(Mode.LEGACY_ONLY);
        PolicyAdmin admin = stack.policyAdmin();
        for (var server : Map.of(MODERN, modern, LEGACY, legacy, DOOMED, doomed).entrySet()) {
            admin.registerServer(server.getKey(), server.getValue().mcpEndpoint(), UpstreamAuth.NONE, Duration.ofSeconds(2),
                    Duration.ofSeconds(25));
            admin.setKeyPolicy(server.getKey(), false); // the fixture's tools change nothing
            admin.grant(LocalBrokerStack.DEV_AGENT, LocalBrokerStack.DEV_TENANT,
                    new ServerGrant(server.getKey(), null, List.of("*"), List.of("*"), null));
        }
        DynamoDbVirtualServerRegistry virtuals = new DynamoDbVirtualServerRegistry(stack.aws().dynamoDb(),
                LocalBrokerStack.POLICY_TABLE);
        virtuals.define(new VirtualServer(VIRTUAL, List.of(VirtualMember.of(LocalBrokerStack.PAYMENTS, "pay"),
                VirtualMember.of(MODERN, "mod"), VirtualMember.of(LEGACY, "leg"))), false);
        virtuals.define(new VirtualServer(PARTLY_DOWN, List.of(VirtualMember.of(LocalBrokerStack.PAYMENTS, "pay"),
                VirtualMember.of(DOOMED, "dm"))), false);
        virtuals.define(new VirtualServer(WITH_REFERENCE, List.of(VirtualMember.of(LocalBrokerStack.PAYMENTS, "pay"),
                VirtualMember.of(LocalBrokerStack.EVERYTHING, "ev"))), false);
    }

    @AfterAll
    static void stopFixtures() {
        for (ConformanceUpstream fixture : new ConformanceUpstream[] {modern, legacy, doomed}) {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Test
    void javaSdkSeesOneServerWhoseNamesReachEachMemberInItsOwnGeneration() {
        long transfersBefore = stack.payments().executions("transfer");
        McpSyncClient client = client(stack.endpoint(0, VIRTUAL));
        try {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo(VIRTUAL);

            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(tools).contains("pay__transfer", "pay__get_balance", "mod__test_simple_text", "leg__test_simple_text");
            assertThat(tools.indexOf("pay__transfer")).isLessThan(tools.indexOf("mod__test_simple_text"));
            assertThat(tools.indexOf("mod__test_simple_text")).isLessThan(tools.indexOf("leg__test_simple_text"));
            assertThat(tools).noneMatch(name -> !name.startsWith("pay__") && !name.startsWith("mod__") && !name.startsWith("leg__"));

            assertThat(text(client.callTool(new McpSchema.CallToolRequest("pay__get_balance", Map.of("account", "alice")))))
                    .contains("alice");
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("mod__test_simple_text", Map.of())))).isNotBlank();
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("leg__test_simple_text", Map.of())))).isNotBlank();

            McpSchema.CallToolRequest pay = new McpSchema.CallToolRequest("pay__transfer",
                    Map.of("from", "alice", "to", "bob", "amountCents", 7),
                    Map.of("dev.mcpbroker/idempotencyKey", "virtual-java-" + UUID.randomUUID()));
            McpSchema.CallToolResult transfer = client.callTool(pay);
            assertThat(client.callTool(pay).structuredContent()).isEqualTo(transfer.structuredContent());
            assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 1);

            List<String> prompts = client.listPrompts().prompts().stream().map(McpSchema.Prompt::name).toList();
            assertThat(prompts).contains("mod__test_simple_prompt", "leg__test_simple_prompt");
            assertThat(client.getPrompt(new McpSchema.GetPromptRequest("leg__test_simple_prompt", Map.of())).messages()).isNotEmpty();
            assertThat(client.readResource(new McpSchema.ReadResourceRequest("test://static-text")).contents()).isNotEmpty();

            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("test_simple_text", Map.of())))
                    .isInstanceOf(McpError.class).hasMessageContaining("exposes");
            client.ping();
        } finally {
            assertThat(client.closeGracefully()).isTrue();
        }
    }

    @Test
    void theReferenceServerAsAMemberKeepsItsOwnKillSwitchesBehindThePrefix() {
        McpSyncClient client = client(stack.endpoint(1, WITH_REFERENCE));
        try {
            client.initialize();

            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(tools).contains("pay__get_balance", "ev__echo").doesNotContain("ev__get-env", "get-env");
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("ev__echo", Map.of("message", "through a prefix")))))
                    .contains("through a prefix");
            // switched off on the reference server itself: refused under its prefixed name too, never relayed
            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("ev__get-env", Map.of())))
                    .isInstanceOf(McpError.class).hasMessageContaining("switched off")
                    .satisfies(e -> assertThat(((McpError) e).getJsonRpcError().data().toString()).contains("tool_killed"));
        } finally {
            assertThat(client.closeGracefully()).isTrue();
        }
    }

    @Test
    void typeScriptSdkListsCallsAndEndsItsVirtualSession() {
        JsonNode run = TypeScriptClient.run(stack.endpoint(1, VIRTUAL), stack.devAuthorization(), List.of(
                TypeScriptClient.listTools(),
                TypeScriptClient.callTool("mod__test_simple_text", Map.of()),
                TypeScriptClient.callTool("leg__test_simple_text", Map.of()),
                TypeScriptClient.callTool("pay__get_balance", Map.of("account", "bob")),
                TypeScriptClient.listPrompts(),
                TypeScriptClient.getPrompt("mod__test_simple_prompt", Map.of()),
                TypeScriptClient.readResource("test://static-text"),
                TypeScriptClient.terminate()));

        assertThat(run.path("connected").asBoolean()).as("connect: %s", run.path("connectError")).isTrue();
        assertThat(run.path("serverInfo").path("name").asText()).isEqualTo(VIRTUAL);
        assertThat(step(run, 0).path("tools").findValuesAsText("name"))
                .contains("pay__transfer", "mod__test_simple_text", "leg__test_simple_text");
        assertThat(step(run, 1).path("content").get(0).path("text").asText()).isNotBlank();
        assertThat(step(run, 2).path("content").get(0).path("text").asText()).isNotBlank();
        assertThat(step(run, 3).path("content").get(0).path("text").asText()).contains("bob");
        assertThat(step(run, 4).path("prompts").findValuesAsText("name")).contains("mod__test_simple_prompt");
        assertThat(step(run, 5).path("messages").size()).isPositive();
        assertThat(step(run, 6).path("contents").size()).isPositive();
        step(run, 7);
        assertThat(RawMcp.post(stack, stack.endpoint(1, VIRTUAL), run.path("sessionId").asText(),
                "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}").status()).isEqualTo(404);
    }

    @Test
    void aMemberThatIsDownFailsOnlyItsOwnNamesWhileTheOthersKeepWorking() {
        doomed.kill();
        McpSyncClient client = client(stack.endpoint(0, PARTLY_DOWN));
        try {
            client.initialize();

            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(tools).contains("pay__get_balance").noneMatch(name -> name.startsWith("dm__"));
            // the broker answers an unreachable upstream with 502 and a JSON-RPC error, as for any server
            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("dm__test_simple_text", Map.of())))
                    .hasMessageContaining("upstream_unreachable").hasMessageContaining("not_executed");
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("pay__get_balance", Map.of("account", "carol")))))
                    .contains("carol");
        } finally {
            client.closeGracefully();
        }
        RawMcp.Reply list = RawMcp.post(stack, stack.endpoint(0, PARTLY_DOWN), RawMcp.initialize(stack, stack.endpoint(0, PARTLY_DOWN)),
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
        JsonNode unavailable = list.body().path("result").path("_meta").path("dev.mcp-broker/unavailableMembers");
        assertThat(unavailable.findValuesAsText("server")).containsExactly(DOOMED);
        assertThat(unavailable.findValuesAsText("failureClass")).containsExactly("not_executed");
    }

    @Test
    void aStatelessAgentDiscoversTheVirtualServerAndReachesMembersOfBothGenerations() {
        URI endpoint = stack.endpoint(0, VIRTUAL);
        String authorization = stack.devAuthorization().get("Authorization");

        RawMcp.Reply discovered = stateless(endpoint, authorization, 1, "server/discover", null, "{}");
        RawMcp.Reply tools = stateless(endpoint, authorization, 2, "tools/list", null, "{}");
        RawMcp.Reply legacyMember = stateless(endpoint, authorization, 3, "tools/call", "leg__test_simple_text",
                "{\"name\":\"leg__test_simple_text\",\"arguments\":{}}");
        RawMcp.Reply modernMember = stateless(endpoint, authorization, 4, "tools/call", "mod__test_simple_text",
                "{\"name\":\"mod__test_simple_text\",\"arguments\":{}}");

        assertThat(discovered.status()).isEqualTo(200);
        assertThat(discovered.body().path("result").path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText())
                .isEqualTo(VIRTUAL);
        assertThat(tools.body().path("result").path("resultType").asText()).isEqualTo("complete");
        assertThat(tools.body().path("result").path("tools").findValuesAsText("name"))
                .contains("pay__transfer", "mod__test_simple_text", "leg__test_simple_text");
        assertThat(legacyMember.body().path("result").path("content").get(0).path("text").asText()).isNotBlank();
        assertThat(modernMember.body().path("result").path("content").get(0).path("text").asText()).isNotBlank();
        assertThat(legacyMember.sessionId()).as("no session for a stateless agent").isNull();
    }

    @Test
    void repeatedMergedListsKeepHoldingEveryMemberAndTheirCostIsReported() {
        URI virtual = stack.endpoint(0, VIRTUAL);
        URI payments = stack.endpoint(0, LocalBrokerStack.PAYMENTS);
        String virtualSession = RawMcp.initialize(stack, virtual);
        String paymentsSession = RawMcp.initialize(stack, payments);
        String list = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}";
        RawMcp.post(stack, virtual, virtualSession, list); // opens the legacy member's held session
        long[] direct = new long[20];
        long[] merged = new long[20];
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            assertThat(RawMcp.post(stack, payments, paymentsSession, list).status()).isEqualTo(200);
            direct[i] = System.nanoTime() - start;
            start = System.nanoTime();
            RawMcp.Reply reply = RawMcp.post(stack, virtual, virtualSession, list);
            merged[i] = System.nanoTime() - start;
            assertThat(reply.body().path("result").path("tools").findValuesAsText("name")).contains("leg__test_simple_text");
        }
        java.util.Arrays.sort(direct);
        java.util.Arrays.sort(merged);
        System.out.printf("tools/list median: payments directly %.1f ms, virtual server of 3 members %.1f ms%n",
                direct[10] / 1e6, merged[10] / 1e6);
        assertThat(RawMcp.delete(stack, virtual, virtualSession).status()).isEqualTo(204);
    }

    private static RawMcp.Reply stateless(URI endpoint, String authorization, int id, String method, String name,
                                          String params) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":"
                + params.substring(0, params.length() - 1) + (params.equals("{}") ? "" : ",")
                + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw-2026\",\"version\":\"1\"}}}}";
        Map<String, String> headers = new java.util.HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", method));
        if (name != null) {
            headers.put("Mcp-Name", name);
        }
        return RawMcp.post(endpoint, authorization, null, body, headers);
    }

    private static McpSyncClient client(URI endpoint) {
        return JavaSdkAgents.connect(endpoint, stack.devAuthorization().get("Authorization"), "e2e-virtual");
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static JsonNode step(JsonNode run, int index) {
        JsonNode step = run.path("steps").get(index);
        assertThat(step.has("error")).as("step %s failed: %s", index, step.path("error")).isFalse();
        return step.path("result");
    }
}
