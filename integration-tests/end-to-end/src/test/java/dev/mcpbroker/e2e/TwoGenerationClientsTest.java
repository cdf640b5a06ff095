package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.sessiontable.SessionAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.testkit.lb.Nginx;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream.Mode;
import dev.mcpbroker.testkit.upstream.TypeScriptClient;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.client.McpClient;
import io.modelcontextprotocol.modern.client.McpSyncClient;
import io.modelcontextprotocol.modern.client.transport.HttpClientMcpTransport;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Agents of both MCP generations through two broker instances behind the shipped round-robin load balancer
 * ({@code infra/nginx/mcp-broker-lb.conf}), each with an official SDK client, unchanged:
 * <ul>
 *   <li>the MCP Java SDK's 2026-07-28 client ({@code io.modelcontextprotocol.modern.client}), which has no sessions
 *       and no {@code initialize}, reaches legacy-only upstreams (the demo payments server and the fixture server in
 *       legacy-only mode) through one upstream session the broker holds for it, whichever instance serves a request;
 *   <li>the Java SDK's legacy client and the TypeScript SDK 1.32.2 (both 2025-11-25) reach a 2026-only upstream, which
 *       has no sessions to give: their session is the broker's alone; on an upstream of both generations they get a
 *       real upstream session, since that server still speaks their generation;
 *   <li>the 2026-07-28 client reaches 2026-capable upstreams statelessly, with no session anywhere.
 * </ul>
 * Every test acts as an agent of its own, so its sessions in the state table are its own to count (and no broker's
 * policy cache knows it yet).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoGenerationClientsTest {

    private static final String LEGACY_FIXTURE = "fixture-legacy";
    private static final String MODERN_FIXTURE = "fixture-modern";
    private static final String DUAL_FIXTURE = "fixture-dual";
    private static final String MODERN_VERSION = "2026-07-28";
    private static final String LEGACY_VERSION = "2025-11-25";
    private static final String IDEMPOTENCY_META = "dev.mcpbroker/idempotencyKey";
    private static final String SIMPLE_TEXT = "This is a simple text response for testing.";

    private static LocalBrokerStack stack;
    private static Nginx nginx;
    private static ConformanceUpstream legacyOnly;
    private static ConformanceUpstream modernOnly;
    private static ConformanceUpstream dualEra;

    @BeforeAll
    static void twoBrokersBehindRoundRobinAndTheFixtureServerInEachMode() {
        stack = SharedStack.get();
        // The three fixture JVMs start side by side: each spends most of its start waiting for its own JIT.
        List<CompletableFuture<ConformanceUpstream>> starting = Stream.of(Mode.LEGACY_ONLY, Mode.MODERN_ONLY, Mode.DUAL_ERA)
                .map(mode -> CompletableFuture.supplyAsync(() -> ConformanceUpstream.start(mode))).toList();
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            starting.forEach(fixture -> fixture.thenAccept(ConformanceUpstream::close)); // those that did start
            throw e;
        }
        legacyOnly = starting.get(0).join();
        modernOnly = starting.get(1).join();
        dualEra = starting.get(2).join();
        PolicyAdmin admin = stack.policyAdmin();
        Map<String, ConformanceUpstream> fixtures = Map.of(LEGACY_FIXTURE, legacyOnly, MODERN_FIXTURE, modernOnly,
                DUAL_FIXTURE, dualEra);
        fixtures.forEach((id, fixture) -> {
            // Registered without a generation: each broker instance learns it (server/discover) as it would in AWS.
            admin.registerServer(id, fixture.mcpEndpoint(), UpstreamAuth.NONE, Duration.ofSeconds(2), Duration.ofSeconds(25));
            // The fixture tools carry no annotations, so the broker would take them for state-changing; they change nothing.
            admin.setKeyPolicy(id, false);
        });
        nginx = Nginx.roundRobin(List.of(stack.broker(0).baseUri(), stack.broker(1).baseUri()));
    }

    @AfterAll
    static void stopFixturesAndLoadBalancer() {
        for (AutoCloseable started : new AutoCloseable[] {nginx, legacyOnly, modernOnly, dualEra}) {
            if (started != null) {
                try {
                    started.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    // ---- 2026-07-28 client, legacy-only upstreams

    @Test
    void statelessClientCallsTheLegacyPaymentsServerThroughOneHeldUpstreamSessionThatBothBrokersShare() {
        FreshAgent agent = FreshAgent.grantedOn(stack, LocalBrokerStack.PAYMENTS);
        long initializesBefore = stack.payments().initializes();
        long transfersBefore = stack.payments().executions("transfer");
        Map<URI, Long> servedBefore = nginx.requestsByBackend();
        ModernClientWire wire = new ModernClientWire(agent.authorization());
        McpSyncClient client = modernClient(LocalBrokerStack.PAYMENTS, wire);

        assertThat(client.tools().list().tools()).extracting(McpSchema.Tool::name)
                .contains("transfer", "get_balance", "list_transfers");
        McpSchema.CallToolResult balance = client.tool("get_balance").arguments(Map.of("account", "alice")).call();
        assertThat(balance.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(balance)).contains("alice");

        // A state-changing call with its key in _meta; the retry with the same key is answered from the broker's record.
        Map<String, Object> pay = Map.of("from", "alice", "to", "bob", "amountCents", 125);
        String key = "modern-java-" + UUID.randomUUID();
        McpSchema.CallToolResult transfer = client.tool("transfer").arguments(pay).meta(Map.of(IDEMPOTENCY_META, key)).call();
        assertThat(transfer.isError()).as("transfer: %s", transfer.content()).isNotEqualTo(Boolean.TRUE);
        McpSchema.CallToolResult retried = client.tool("transfer").arguments(pay).meta(Map.of(IDEMPOTENCY_META, key)).call();
        assertThat(retried.structuredContent()).isEqualTo(transfer.structuredContent());
        // The key in the Idempotency-Key header works the same way on a stateless request.
        wire.idempotencyKeyFor("transfer", "modern-java-header-" + UUID.randomUUID());
        McpSchema.CallToolResult second = client.tool("transfer").arguments(Map.of("from", "alice", "to", "carol", "amountCents", 5)).call();
        assertThat(second.isError()).as("transfer: %s", second.content()).isNotEqualTo(Boolean.TRUE);
        wire.idempotencyKeyFor("transfer", null);
        assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 2);

        // Without a key the broker refuses before the upstream, as a JSON-RPC error the client raises.
        assertThatThrownBy(() -> client.tool("transfer").arguments(Map.of("from", "alice", "to", "bob", "amountCents", 1)).call())
                .isInstanceOfSatisfying(McpException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(-31050);
                    assertThat(String.valueOf(e.error().data())).contains("idempotency_key_required");
                });
        assertThat(stack.payments().executions("transfer")).isEqualTo(transfersBefore + 2);

        wire.assertEverythingWasSentStateless();
        BrokerSession held = assertOneHeldSession(agent, LocalBrokerStack.PAYMENTS);
        assertThat(held.protocolVersion()).isEqualTo(LEGACY_VERSION);
        // One upstream initialize for all of it, although both instances served the client's requests: each found
        // the session the other opened.
        assertThat(stack.payments().initializes() - initializesBefore).isEqualTo(1);
        assertBothBrokersServed(servedBefore);
    }

    @Test
    void statelessClientUsesToolsResourcesAndPromptsOfTheLegacyOnlyFixtureThroughOneHeldSession() {
        FreshAgent agent = FreshAgent.grantedOn(stack, LEGACY_FIXTURE);
        Map<URI, Long> servedBefore = nginx.requestsByBackend();
        ModernClientWire wire = new ModernClientWire(agent.authorization());
        McpSyncClient client = modernClient(LEGACY_FIXTURE, wire);

        assertFixtureSurface(client);

        wire.assertEverythingWasSentStateless();
        assertOneHeldSession(agent, LEGACY_FIXTURE);
        assertBothBrokersServed(servedBefore);
    }

    // ---- 2026-07-28 client, 2026-capable upstreams

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {MODERN_FIXTURE, DUAL_FIXTURE})
    void statelessClientReachesA2026CapableUpstreamWithoutAnySession(String server) {
        FreshAgent agent = FreshAgent.grantedOn(stack, server);
        Map<URI, Long> servedBefore = nginx.requestsByBackend();
        ModernClientWire wire = new ModernClientWire(agent.authorization());
        McpSyncClient client = modernClient(server, wire);

        McpSchema.DiscoverResult discovery = client.discover();
        assertThat(discovery.supportedVersions()).contains(MODERN_VERSION);
        assertFixtureSurface(client);

        wire.assertEverythingWasSentStateless();
        assertThat(sessionsOf(agent, server)).as("sessions of any kind: the upstream is stateless and so is the client")
                .isEmpty();
        assertBothBrokersServed(servedBefore);
    }

    // ---- 2025-11-25 clients, 2026-capable upstreams

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {MODERN_FIXTURE, DUAL_FIXTURE})
    void legacyJavaSdkClientUsesA2026CapableUpstreamInOneBrokerSessionServedByBothInstances(String server) {
        FreshAgent agent = FreshAgent.grantedOn(stack, server);
        Map<URI, Long> servedBefore = nginx.requestsByBackend();
        Set<String> sessionIds = ConcurrentHashMap.newKeySet();
        URI endpoint = endpoint(server);
        io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport transport =
                io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                        .builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                        .endpoint(endpoint.getPath())
                        .httpRequestCustomizer((request, method, uri, body, context) -> {
                            request.header("Authorization", agent.authorization());
                            request.copy().build().headers().firstValue("Mcp-Session-Id").ifPresent(sessionIds::add);
                        })
                        .build();
        io.modelcontextprotocol.client.McpSyncClient client = io.modelcontextprotocol.client.McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .clientInfo(new io.modelcontextprotocol.spec.McpSchema.Implementation("e2e-legacy-java-sdk", "2.2.0"))
                .build();
        try {
            io.modelcontextprotocol.spec.McpSchema.InitializeResult initialized = client.initialize();
            assertThat(initialized.protocolVersion()).isEqualTo(LEGACY_VERSION);
            if (MODERN_FIXTURE.equals(server)) {
                // The 2026-only upstream announces both; its generation has no logging/setLevel or resources/subscribe.
                assertThat(initialized.capabilities().logging()).isNull();
                assertThat(initialized.capabilities().resources().subscribe()).isNotEqualTo(Boolean.TRUE);
            }
            assertThat(client.listTools().tools()).extracting(io.modelcontextprotocol.spec.McpSchema.Tool::name)
                    .contains("test_simple_text");
            io.modelcontextprotocol.spec.McpSchema.CallToolResult call = client.callTool(
                    new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("test_simple_text", Map.of()));
            assertThat(((io.modelcontextprotocol.spec.McpSchema.TextContent) call.content().get(0)).text()).isEqualTo(SIMPLE_TEXT);
            io.modelcontextprotocol.spec.McpSchema.ReadResourceResult read = client.readResource(
                    new io.modelcontextprotocol.spec.McpSchema.ReadResourceRequest("test://static-text"));
            assertThat(((io.modelcontextprotocol.spec.McpSchema.TextResourceContents) read.contents().get(0)).text()).isNotBlank();
            assertThat(client.getPrompt(new io.modelcontextprotocol.spec.McpSchema.GetPromptRequest("test_simple_prompt", Map.of()))
                    .messages()).isNotEmpty();
            client.ping();

            assertThat(sessionIds).as("one broker session throughout").hasSize(1);
            assertBrokerSession(agent, server, sessionIds.iterator().next());
            assertBothBrokersServed(servedBefore);
        } finally {
            assertThat(client.closeGracefully()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {MODERN_FIXTURE, DUAL_FIXTURE})
    void typeScriptSdkUsesA2026CapableUpstreamInOneBrokerSessionServedByBothInstances(String server) {
        FreshAgent agent = FreshAgent.grantedOn(stack, server);
        Map<URI, Long> servedBefore = nginx.requestsByBackend();
        Map<String, String> headers = Map.of("Authorization", agent.authorization());
        JsonNode run = TypeScriptClient.run(endpoint(server), headers, List.of(
                TypeScriptClient.listTools(),
                TypeScriptClient.callTool("test_simple_text", Map.of()),
                TypeScriptClient.readResource("test://static-text"),
                TypeScriptClient.getPrompt("test_simple_prompt", Map.of()),
                TypeScriptClient.ping()));

        assertThat(run.path("connected").asBoolean()).as("connect: %s", run.path("connectError")).isTrue();
        assertThat(run.path("protocolVersion").asText()).isEqualTo(LEGACY_VERSION);
        assertThat(step(run, 0).path("tools").findValuesAsText("name")).contains("test_simple_text");
        assertThat(step(run, 1).path("content").get(0).path("text").asText()).isEqualTo(SIMPLE_TEXT);
        assertThat(step(run, 2).path("contents").get(0).path("text").asText()).isNotBlank();
        assertThat(step(run, 3).path("messages")).isNotEmpty();
        step(run, 4);
        String session = run.path("sessionId").asText();
        assertBrokerSession(agent, server, session);

        // The session goes on through the load balancer in a second client process, which then ends it.
        JsonNode resumed = TypeScriptClient.resume(endpoint(server), headers, session, List.of(
                TypeScriptClient.callTool("test_simple_text", Map.of()),
                TypeScriptClient.terminate()));
        assertThat(step(resumed, 0).path("content").get(0).path("text").asText()).isEqualTo(SIMPLE_TEXT);
        step(resumed, 1);
        assertThat(sessionsOf(agent, server)).as("live sessions after DELETE").isEmpty();
        assertBothBrokersServed(servedBefore);
    }

    // ---- the clients

    /** The MCP Java SDK's 2026-07-28 client through the load balancer, with the agent's token on every request. */
    private static McpSyncClient modernClient(String server, ModernClientWire wire) {
        HttpClientMcpTransport transport = HttpClientMcpTransport.builder(endpoint(server))
                .requestCustomizer(McpHttpRequestCustomizer.fromSync(wire))
                .build();
        return McpClient.sync(transport)
                .clientInfo(McpSchema.Implementation.builder("e2e-modern-java-sdk", "2.2.0").build())
                .callTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Tools, a tool error, a resource and a prompt of the fixture server, through the 2026-07-28 client. */
    private static void assertFixtureSurface(McpSyncClient client) {
        assertThat(client.tools().list().tools()).extracting(McpSchema.Tool::name)
                .contains("test_simple_text", "test_error_handling");
        assertThat(text(client.tool("test_simple_text").call())).isEqualTo(SIMPLE_TEXT);
        // A tool failure is data: it reaches the client as the upstream gave it.
        McpSchema.CallToolResult failing = client.tool("test_error_handling").call();
        assertThat(failing.isError()).isTrue();
        McpSchema.ReadResourceResult read = client.resource("test://static-text").read();
        assertThat(read.contents()).singleElement().isInstanceOfSatisfying(McpSchema.TextResourceContents.class,
                contents -> assertThat(contents.text()).isNotBlank());
        McpSchema.GetPromptResult prompt = client.prompt("test_simple_prompt").get();
        assertThat(prompt.messages()).singleElement().satisfies(message ->
                assertThat(((McpSchema.TextContent) message.content()).text()).isEqualTo("This is a simple prompt for testing."));
    }

    // ---- agents, endpoints, the state table

    private static URI endpoint(String server) {
        return nginx.baseUri().resolve("/mcp/" + server);
    }

    /** The agent's live sessions on {@code server}, as every broker instance reads them. */
    private static List<BrokerSession> sessionsOf(FreshAgent agent, String server) {
        return new SessionAdmin(stack.aws().dynamoDb(), LocalBrokerStack.TABLE).liveSessions(Instant.now(), server).stream()
                .filter(session -> session.owner().agentId().equals(agent.id()) && session.owner().tenantId().equals(agent.tenant()))
                .toList();
    }

    private static BrokerSession assertOneHeldSession(FreshAgent agent, String server) {
        List<BrokerSession> sessions = sessionsOf(agent, server);
        assertThat(sessions).as("sessions of the stateless agent on %s", server).singleElement().satisfies(session -> {
            assertThat(session.sessionId()).startsWith("held-");
            assertThat(session.upstreamSession()).as("the upstream's session id").isPresent();
        });
        return sessions.get(0);
    }

    /**
     * The legacy agent's one session, as the state table holds it: the broker's alone on the 2026-only upstream, which
     * has no sessions; bound to a real upstream session on the upstream of both generations, which still serves the
     * agent's own generation (the broker sends a legacy initialize as it is and asks no further).
     */
    private static void assertBrokerSession(FreshAgent agent, String server, String sessionId) {
        BrokerSession session = new DynamoDbSessionStore(stack.aws().dynamoDb(), LocalBrokerStack.TABLE).find(sessionId)
                .orElseThrow(() -> new AssertionError("no session " + sessionId + " in the state table"));
        assertThat(session.owner().agentId()).isEqualTo(agent.id());
        assertThat(session.serverId()).isEqualTo(server);
        assertThat(session.protocolVersion()).isEqualTo(LEGACY_VERSION);
        assertThat(session.upstreamSession().isPresent()).as("upstream session id of %s on %s", sessionId, server)
                .isEqualTo(DUAL_FIXTURE.equals(server));
        assertThat(sessionsOf(agent, server)).extracting(BrokerSession::sessionId).containsExactly(sessionId);
    }

    /** Both instances took part: nginx writes a request's log line once it has answered, so the count is awaited. */
    private static void assertBothBrokersServed(Map<URI, Long> before) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nginx.requestsByBackend())
                .allSatisfy((backend, served) -> assertThat(served).as("requests served by %s", backend)
                        .isGreaterThan(before.get(backend))));
    }

    private static String text(McpSchema.CallToolResult result) {
        assertThat(result.content()).isNotEmpty();
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static JsonNode step(JsonNode run, int index) {
        JsonNode step = run.path("steps").get(index);
        assertThat(step.has("error")).as("step %s failed: %s", index, step.path("error")).isFalse();
        return step.path("result");
    }
}
