package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.TENANT;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every MCP message governed by the agent's grant, through the whole pipeline: an agent granted one tool, one
 * resource prefix, one resource template and one prompt sees and reaches exactly those, and every refusal leaves the
 * upstream untouched.
 */
class GovernancePipelineTest {

    private static final AgentIdentity NARROW = new AgentIdentity("agent-narrow", TENANT, null);

    private final InMemoryBroker broker = new InMemoryBroker();
    private final String session;

    GovernancePipelineTest() {
        broker.policy.grant(NARROW.agentId(), TENANT, new ServerGrant(SERVER, List.of("get_balance"),
                List.of("file:///public/*", "file:///public/{name}"), List.of("greeting"), null));
        session = initialize(NARROW);
    }

    private String initialize(AgentIdentity agent) {
        return post(agent, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"narrow","version":"1"}}}""").headers().get("Mcp-Session-Id");
    }

    private BrokerResponse post(AgentIdentity agent, String sessionId, String json) {
        return broker.broker.post(new BrokerRequest(agent, SERVER, sessionId, sessionId == null ? null : "2025-11-25", null,
                json.getBytes(StandardCharsets.UTF_8)));
    }

    private ObjectNode request(String method, String params) {
        return post(NARROW, session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"" + method + "\",\"params\":" + params + "}")
                .body().orElseThrow();
    }

    /** The refusal a request gets; the upstream must not have been contacted for it. */
    private ErrorCode refusal(String method, String params) {
        int before = broker.upstream.methods().size();
        BrokerException refused = failure(() -> request(method, params));
        assertThat(broker.upstream.methods()).as("no upstream contact for a refused " + method).hasSize(before);
        return refused.code();
    }

    private static List<String> field(ObjectNode response, String list, String field) {
        List<String> values = new ArrayList<>();
        response.path("result").path(list).forEach(entry -> values.add(entry.path(field).asText()));
        return values;
    }

    @Test
    void listsShowOnlyWhatTheGrantCovers() {
        assertThat(field(request("tools/list", "{}"), "tools", "name")).containsExactly("get_balance");
        assertThat(field(request("resources/list", "{}"), "resources", "uri")).containsExactly("file:///public/readme");
        assertThat(field(request("resources/templates/list", "{}"), "resourceTemplates", "uriTemplate"))
                .containsExactly("file:///public/{name}");
        assertThat(field(request("prompts/list", "{}"), "prompts", "name")).containsExactly("greeting");
    }

    @Test
    void resourcesPromptsAndCompletionsOutsideTheGrantAreRefusedBeforeTheUpstream() {
        assertThat(refusal("resources/read", "{\"uri\":\"file:///secret/keys\"}")).isEqualTo(ErrorCode.RESOURCE_NOT_ALLOWED);
        assertThat(refusal("resources/subscribe", "{\"uri\":\"file:///secret/keys\"}")).isEqualTo(ErrorCode.RESOURCE_NOT_ALLOWED);
        assertThat(refusal("prompts/get", "{\"name\":\"admin_override\"}")).isEqualTo(ErrorCode.PROMPT_NOT_ALLOWED);
        assertThat(refusal("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"admin_override\"},"
                + "\"argument\":{\"name\":\"a\",\"value\":\"\"}}")).isEqualTo(ErrorCode.PROMPT_NOT_ALLOWED);
        assertThat(refusal("completion/complete", "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"file:///secret/{name}\"},"
                + "\"argument\":{\"name\":\"name\",\"value\":\"\"}}")).isEqualTo(ErrorCode.RESOURCE_NOT_ALLOWED);
        assertThat(refusal("tools/call", "{\"name\":\"transfer\",\"arguments\":{}}")).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        assertThat(refusal("resources/read", "{}")).isEqualTo(ErrorCode.INVALID_PARAMS);
    }

    @Test
    void whatTheGrantCoversReachesTheUpstream() {
        assertThat(request("resources/read", "{\"uri\":\"file:///public/readme\"}").path("result").path("contents")).hasSize(1);
        assertThat(request("prompts/get", "{\"name\":\"greeting\"}").has("result")).isTrue();
        assertThat(request("completion/complete", "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"file:///public/{name}\"},"
                + "\"argument\":{\"name\":\"name\",\"value\":\"r\"}}").has("result")).isTrue();
        assertThat(broker.upstream.methods()).contains("resources/read", "prompts/get", "completion/complete");
    }

    @Test
    void resourceAndPromptKillSwitchesApplyToEveryAgentAndNarrowLists() {
        broker.registry.register(new UpstreamServer(SERVER, URI.create("http://127.0.0.1:9/mcp"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), dev.mcpbroker.core.upstream.UpstreamAuth.NONE,
                new ServerControls(false, Set.of(), Set.of("file:///public/*"), Set.of("greeting"))));

        assertThat(refusal("resources/read", "{\"uri\":\"file:///public/readme\"}")).isEqualTo(ErrorCode.RESOURCE_KILLED);
        assertThat(refusal("prompts/get", "{\"name\":\"greeting\"}")).isEqualTo(ErrorCode.PROMPT_KILLED);
        assertThat(field(request("resources/list", "{}"), "resources", "uri")).isEmpty();
        assertThat(field(request("prompts/list", "{}"), "prompts", "name")).isEmpty();
    }

    @Test
    void aToolCallSentAsANotificationIsRefusedAndNeverRelayed() {
        int before = broker.upstream.methods().size();

        BrokerException refused = failure(() -> post(NARROW, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\",\"arguments\":{}}}"));

        assertThat(refused.code()).isEqualTo(ErrorCode.NOTIFICATION_NOT_ALLOWED);
        assertThat(refused.code().httpStatus()).isEqualTo(400);
        assertThat(broker.upstream.methods()).hasSize(before);
        assertThat(broker.outbox.chain(session).getLast()).satisfies(denied -> {
            assertThat(denied.method()).isEqualTo("tools/call");
            assertThat(denied.reason()).isEqualTo("notification_not_allowed");
        });
    }

    @Test
    void aCancellationIsRecordedBeforeItIsRelayed() {
        BrokerResponse accepted = post(NARROW, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}");

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(broker.upstream.methods()).contains("notifications/cancelled");
        assertThat(broker.outbox.chain(session).getLast()).satisfies(recorded -> {
            assertThat(recorded.method()).isEqualTo("notifications/cancelled");
            assertThat(recorded.decision()).isEqualTo(AuditEvent.Decision.ALLOWED);
            assertThat(recorded.correlationId()).isEqualTo("5");
        });
    }

    @Test
    void aResponseThatAnswersNoRelayedRequestIsRefusedAndNeverRelayed() {
        int before = broker.upstream.methods().size();

        BrokerException refused = failure(() -> post(NARROW, session, "{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"result\":{}}"));

        assertThat(refused.code()).isEqualTo(ErrorCode.UNSOLICITED_RESPONSE);
        assertThat(broker.upstream.methods()).hasSize(before);
    }

    @Test
    void tasksAreVisibleOnlyToTheIdentityThatCreatedThem() {
        broker.policy.grant("agent-other", TENANT, new ServerGrant(SERVER, null));
        AgentIdentity other = new AgentIdentity("agent-other", TENANT, null);
        String otherSession = initialize(other);
        broker.policy.grant(NARROW.agentId(), TENANT, new ServerGrant(SERVER, List.of("get_balance", "long_job"),
                null, null, null));
        String mine = request("tools/call", "{\"name\":\"long_job\",\"arguments\":{}}").path("result").path("task")
                .path("taskId").asText();
        String theirs = post(other, otherSession, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"long_job","arguments":{}}}""")
                .body().orElseThrow().path("result").path("task").path("taskId").asText();

        assertThat(request("tasks/get", "{\"taskId\":\"" + mine + "\"}").path("result").path("taskId").asText()).isEqualTo(mine);
        assertThat(refusal("tasks/get", "{\"taskId\":\"" + theirs + "\"}")).isEqualTo(ErrorCode.TASK_NOT_FOUND);
        assertThat(refusal("tasks/cancel", "{\"taskId\":\"never-created\"}")).isEqualTo(ErrorCode.TASK_NOT_FOUND);
        assertThat(field(request("tasks/list", "{}"), "tasks", "taskId")).containsExactly(mine);
    }

    @Test
    void theOutcomeQueryAppliesTheToolsGrant() {
        assertThat(refusal("mcp-broker/outcome", "{\"tool\":\"transfer\",\"idempotencyKey\":\"k\"}"))
                .isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
    }

    @Test
    void anAgentActingForManyUsersKeepsEachUsersIdempotencyRecordsApart() {
        AgentIdentity alice = new AgentIdentity(InMemoryBroker.AGENT.agentId(), TENANT, "alice@example.com");
        AgentIdentity bob = new AgentIdentity(InMemoryBroker.AGENT.agentId(), TENANT, "bob@example.com");
        String sessionId = broker.initialize();
        String transfer = """
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"transfer","arguments":{"amount":5}}}""";
        broker.broker.post(new BrokerRequest(alice, SERVER, sessionId, "2025-11-25", "shared-key",
                transfer.getBytes(StandardCharsets.UTF_8)));

        JsonNode bobsOutcome = broker.broker.post(new BrokerRequest(bob, SERVER, sessionId, "2025-11-25", null, """
                {"jsonrpc":"2.0","id":4,"method":"mcp-broker/outcome","params":{"tool":"transfer","idempotencyKey":"shared-key"}}"""
                .getBytes(StandardCharsets.UTF_8))).body().orElseThrow();
        broker.broker.post(new BrokerRequest(bob, SERVER, sessionId, "2025-11-25", "shared-key",
                transfer.getBytes(StandardCharsets.UTF_8)));

        assertThat(bobsOutcome.path("result").path("status").asText()).isEqualTo("NONE");
        assertThat(broker.upstream.transfers()).as("bob's call is his own, not a replay of alice's").isEqualTo(2);
    }

    @Test
    void theKeySentUpstreamIsDerivedFromTheScopeStableAcrossRetriesAndNeverTheAgentsOwn() {
        broker.policy.grant("agent-t2", "t2", new ServerGrant(SERVER, null));
        AgentIdentity otherTenant = new AgentIdentity("agent-t2", "t2", null);
        String mine = broker.initialize();
        String theirs = initialize(otherTenant);
        broker.call(mine, "get_balance", "{}", null); // the broker knows the tool list
        broker.upstream.failNextBeforeActing(dev.mcpbroker.core.upstream.UpstreamException.Kind.THROTTLED);
        failure(() -> broker.call(mine, "transfer", "{\"amount\":5}", "raw-key")); // not executed: the key is given back
        broker.call(mine, "transfer", "{\"amount\":5}", "raw-key");
        post(otherTenant, theirs, """
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"transfer","arguments":{"amount":5},
                 "_meta":{"dev.mcpbroker/idempotencyKey":"raw-key"}}}""");

        List<dev.mcpbroker.core.upstream.UpstreamCall> transfers = broker.upstream.calls().stream()
                .filter(call -> "transfer".equals(call.message().path("params").path("name").asText())).toList();
        List<String> sent = transfers.stream().map(call -> call.headers().get("Idempotency-Key")).toList();
        assertThat(sent).hasSize(3).doesNotContain("raw-key").allSatisfy(key -> assertThat(key).matches("[A-Za-z0-9_-]{43}"));
        assertThat(sent.get(1)).as("the retry of one call").isEqualTo(sent.get(0));
        assertThat(sent.get(2)).as("another tenant's call under the same raw key").isNotEqualTo(sent.get(0));
        assertThat(transfers).allSatisfy(call -> assertThat(call.message().path("params").path("_meta")
                .path("dev.mcpbroker/idempotencyKey").asText()).isEqualTo(call.headers().get("Idempotency-Key")));
    }
}
