package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.AGENT;
import static dev.mcpbroker.core.broker.InMemoryBroker.LEDGER;
import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.TENANT;
import static dev.mcpbroker.core.broker.InMemoryBroker.VERSION;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static dev.mcpbroker.core.broker.InMemoryBroker.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A virtual server over the legacy upstream {@code payments} (prefix {@code pay}) and the 2026-07-28 upstream
 * {@code ledger} (prefix {@code led}), through the whole pipeline, for agents of both generations: lists merged in
 * member order, names prefixed and routed with the prefix stripped, governance per underlying server and tool,
 * lazily held member sessions, and one member down.
 */
class VirtualServerPipelineTest {

    private static final String VIRTUAL = "finance";
    private static final String V2026 = "2026-07-28";

    private final InMemoryBroker broker = new InMemoryBroker();
    private int nextId = 1;

    @BeforeEach
    void defineVirtualServer() {
        broker.virtualServers.define(new VirtualServer(VIRTUAL, List.of(VirtualMember.of(SERVER, "pay"),
                VirtualMember.of(LEDGER, "led"))), false);
    }

    @Test
    void aLegacyInitializeIsAnsweredByTheBrokerWithoutContactingAnyMember() {
        BrokerResponse response = legacy(null, "initialize", """
                {"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"legacy-agent","version":"1"}}""".formatted(VERSION));

        ObjectNode result = (ObjectNode) response.body().orElseThrow().path("result");
        assertThat(response.headers().get("Mcp-Session-Id")).isNotBlank();
        assertThat(result.path("serverInfo").path("name").asText()).isEqualTo(VIRTUAL);
        assertThat(result.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
        assertThat(result.path("protocolVersion").asText()).isEqualTo(VERSION);
        assertThat(broker.upstream.methods()).isEmpty();
        assertThat(broker.statelessUpstream.calls()).isEmpty();
    }

    @Test
    void toolListsMergeInMemberOrderThenTheUpstreamsOrderWithPrefixedNames() {
        String session = initialize();

        JsonNode result = body(legacy(session, "tools/list", "{}")).path("result");

        assertThat(names(result.path("tools"))).containsExactly("pay__get_balance", "pay__transfer", "pay__long_job",
                "led__get_balance", "led__transfer", "led__confirm_transfer");
        assertThat(result.has(McpMeta.RESULT_TYPE)).as("legacy agents get legacy results").isFalse();
        assertThat(result.path(McpMeta.META).has(McpMeta.UNAVAILABLE_MEMBERS)).isFalse();
    }

    @Test
    void aCallGoesToTheMemberThatOwnsTheNameWithThePrefixStrippedAndIsAuditedAsThatServersTool() {
        String session = initialize();

        ObjectNode legacyMember = body(legacy(session, "tools/call", """
                {"name":"pay__get_balance","arguments":{}}"""));
        ObjectNode statelessMember = body(legacy(session, "tools/call", """
                {"name":"led__get_balance","arguments":{}}"""));

        assertThat(text(legacyMember)).isEqualTo("balance 100");
        assertThat(text(statelessMember)).isEqualTo("balance 100");
        UpstreamCall toPayments = broker.upstream.calls().getLast();
        assertThat(toPayments.message().path("params").path("name").asText()).isEqualTo("get_balance");
        assertThat(toPayments.upstreamSessionId()).as("a legacy member through a held session").isNotNull();
        UpstreamCall toLedger = broker.statelessUpstream.calls().getLast();
        assertThat(toLedger.message().path("params").path("name").asText()).isEqualTo("get_balance");
        assertThat(toLedger.upstreamSessionId()).as("a 2026 member statelessly").isNull();
        assertThat(broker.audit()).filteredOn(e -> "tools/call".equals(e.method()))
                .extracting(AuditEvent::serverId, AuditEvent::tool)
                .contains(org.assertj.core.groups.Tuple.tuple(SERVER, "get_balance"),
                        org.assertj.core.groups.Tuple.tuple(LEDGER, "get_balance"))
                .noneMatch(t -> VIRTUAL.equals(t.toList().get(0)));
    }

    @Test
    void aLegacyMembersSessionIsOpenedLazilyPerVirtualSessionAndEndedWithIt() {
        String first = initialize();
        String second = initialize();
        assertThat(broker.upstream.sessionsOpened()).isZero();

        legacy(first, "tools/call", "{\"name\":\"pay__get_balance\",\"arguments\":{}}");
        legacy(first, "tools/call", "{\"name\":\"pay__get_balance\",\"arguments\":{}}");
        legacy(second, "tools/call", "{\"name\":\"pay__get_balance\",\"arguments\":{}}");
        assertThat(broker.upstream.sessionsOpened()).isEqualTo(2);
        String heldOfFirst = broker.upstream.calls().stream().filter(c -> "tools/call".equals(c.message().path("method").asText()))
                .findFirst().orElseThrow().upstreamSessionId();

        BrokerResponse ended = broker.broker.delete(AGENT, VIRTUAL, first, VERSION);

        assertThat(ended.status()).isEqualTo(204);
        assertThat(broker.upstream.terminated()).containsExactly(heldOfFirst);
        assertThat(failure(() -> legacy(first, "tools/list", "{}")).code()).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
        assertThat(text(body(legacy(second, "tools/call", "{\"name\":\"pay__get_balance\",\"arguments\":{}}"))))
                .isEqualTo("balance 100");
    }

    @Test
    void membersThatCouldExposeTheSameNameAreRefusedWhenDefinedNotAtCallTime() {
        assertThatThrownBy(() -> new VirtualServer("clash", List.of(VirtualMember.of(SERVER, null), VirtualMember.of(LEDGER, null))))
                .isInstanceOf(VirtualServerRefusal.NameConflict.class)
                .extracting(e -> ((VirtualServerRefusal) e).reason()).isEqualTo("virtual_name_conflict");
        assertThatThrownBy(() -> new VirtualServer("clash", List.of(VirtualMember.of(SERVER, "pay"), VirtualMember.of(LEDGER, null))))
                .as("an unprefixed member exposing every tool could expose pay__x").isInstanceOf(VirtualServerRefusal.NameConflict.class);
        assertThatThrownBy(() -> new VirtualServer("clash", List.of(
                new VirtualMember(SERVER, null, List.of("get_*"), null, List.of()),
                new VirtualMember(LEDGER, null, List.of("get_balance"), null, List.of()))))
                .isInstanceOf(VirtualServerRefusal.NameConflict.class);
        assertThatThrownBy(() -> new VirtualServer("clash", List.of(
                new VirtualMember(SERVER, "p", List.of("a"), null, List.of("greeting")),
                new VirtualMember(LEDGER, "p", List.of("b"), null, List.of("greeting")))))
                .as("prompts conflict like tools").isInstanceOf(VirtualServerRefusal.NameConflict.class);

        VirtualServer disjoint = new VirtualServer("disjoint", List.of(
                new VirtualMember(SERVER, null, List.of("transfer", "long_*"), null, List.of("greeting")),
                new VirtualMember(LEDGER, null, List.of("get_*", "confirm_transfer"), null, List.of())));
        broker.virtualServers.define(disjoint, false);
        String session = initializeOn("disjoint");
        assertThat(names(body(post("disjoint", session, VERSION, "tools/list", "{}")).path("result").path("tools")))
                .containsExactly("transfer", "long_job", "get_balance", "confirm_transfer");
    }

    @Test
    void grantsOfTheUnderlyingServersDecideWhatIsListedAndCalled() {
        broker.policy.revoke(AGENT.agentId(), LEDGER);
        broker.policy.grant(AGENT.agentId(), TENANT, new ServerGrant(SERVER, List.of("get_*")));
        String session = initialize();

        JsonNode tools = body(legacy(session, "tools/list", "{}")).path("result");
        BrokerException notGrantedServer = failure(() -> legacy(session, "tools/call", "{\"name\":\"led__get_balance\",\"arguments\":{}}"));
        BrokerException notGrantedTool = failure(() -> legacy(session, "tools/call", "{\"name\":\"pay__transfer\",\"arguments\":{}}"));

        assertThat(names(tools.path("tools"))).containsExactly("pay__get_balance");
        assertThat(tools.path(McpMeta.META).has(McpMeta.UNAVAILABLE_MEMBERS)).as("an ungranted member is no failure").isFalse();
        assertThat(notGrantedServer.code()).isEqualTo(ErrorCode.SERVER_NOT_ALLOWED);
        assertThat(notGrantedTool.code()).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        assertThat(broker.statelessUpstream.calls()).isEmpty();
        assertThat(broker.upstream.methods()).doesNotContain("tools/call");
        assertThat(broker.audit()).filteredOn(e -> e.decision() == AuditEvent.Decision.DENIED)
                .extracting(AuditEvent::serverId, AuditEvent::tool, AuditEvent::reason)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(LEDGER, "get_balance", "server_not_allowed"),
                        org.assertj.core.groups.Tuple.tuple(SERVER, "transfer", "tool_not_allowed"));
    }

    @Test
    void aNameNoMemberExposesIsRefusedWithoutContactingAnyUpstream() {
        String session = initialize();

        BrokerException unknown = failure(() -> legacy(session, "tools/call", "{\"name\":\"get_balance\",\"arguments\":{}}"));

        assertThat(unknown.code()).isEqualTo(ErrorCode.NAME_NOT_EXPOSED);
        assertThat(unknown.code().jsonRpcCode()).isEqualTo(-32602);
        assertThat(broker.upstream.methods()).isEmpty();
        assertThat(broker.statelessUpstream.calls()).isEmpty();
    }

    @Test
    void oneMemberDownFailsOnlyItsOwnNamesAndIsNamedInListsThatStillHoldTheOthers() {
        String session = initialize();
        broker.down.add(LEDGER);

        JsonNode result = body(legacy(session, "tools/list", "{}")).path("result");
        BrokerException ledgerCall = failure(() -> legacy(session, "tools/call", "{\"name\":\"led__transfer\",\"arguments\":{}}"));
        ObjectNode paymentsCall = body(legacy(session, "tools/call", "{\"name\":\"pay__get_balance\",\"arguments\":{}}"));

        assertThat(names(result.path("tools"))).containsExactly("pay__get_balance", "pay__transfer", "pay__long_job");
        JsonNode unavailable = result.path(McpMeta.META).path(McpMeta.UNAVAILABLE_MEMBERS);
        assertThat(unavailable).hasSize(1);
        assertThat(unavailable.get(0).path("server").asText()).isEqualTo(LEDGER);
        assertThat(unavailable.get(0).path("failureClass").asText()).isEqualTo("not_executed");
        assertThat(unavailable.get(0).path("reason").asText()).isEqualTo("upstream_unreachable");
        assertThat(broker.metrics.events()).contains("omitted " + VIRTUAL + " " + LEDGER + " upstream_unreachable");
        assertThat(ledgerCall.code()).isEqualTo(ErrorCode.UPSTREAM_UNREACHABLE);
        assertThat(ledgerCall.failureClass().wireName()).isEqualTo("not_executed");
        assertThat(text(paymentsCall)).isEqualTo("balance 100");
    }

    @Test
    void idempotencyIsScopedByTheUnderlyingServerAndTool() {
        String session = initialize();

        ObjectNode first = body(post(VIRTUAL, session, VERSION, "tools/call", "{\"name\":\"pay__transfer\",\"arguments\":{\"amount\":5}}", "key-1"));
        ObjectNode replay = body(post(VIRTUAL, session, VERSION, "tools/call", "{\"name\":\"pay__transfer\",\"arguments\":{\"amount\":5}}", "key-1"));
        BrokerException noKey = failure(() -> legacy(session, "tools/call", "{\"name\":\"led__transfer\",\"arguments\":{}}"));

        assertThat(text(first)).isEqualTo("transfer #1");
        assertThat(text(replay)).isEqualTo("transfer #1");
        assertThat(broker.upstream.transfers()).isEqualTo(1);
        assertThat(noKey.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REQUIRED);
        assertThat(broker.statelessUpstream.transfers()).isZero();
    }

    @Test
    void promptsArePrefixedAndResourcesRoutedByUriUnrenamedToTheFirstMemberThatHasThem() {
        broker.policy.grant(AGENT.agentId(), TENANT, new ServerGrant(SERVER, null, List.of("*"), List.of("*"), null));
        broker.policy.grant(AGENT.agentId(), TENANT, new ServerGrant(LEDGER, null, List.of("*"), List.of("*"), null));
        broker.virtualServers.define(new VirtualServer(VIRTUAL, List.of(VirtualMember.of(LEDGER, "led"),
                VirtualMember.of(SERVER, "pay"))), true);
        String session = initialize();

        JsonNode prompts = body(legacy(session, "prompts/list", "{}")).path("result").path("prompts");
        ObjectNode prompt = body(legacy(session, "prompts/get", "{\"name\":\"pay__greeting\"}"));
        JsonNode resources = body(legacy(session, "resources/list", "{}")).path("result").path("resources");
        ObjectNode read = body(legacy(session, "resources/read", "{\"uri\":\"file:///public/readme\"}"));

        assertThat(names(prompts)).containsExactly("pay__greeting", "pay__admin_override");
        assertThat(prompt.path("result").path("messages").path(0).path("content").path("text").asText()).isEqualTo("hello");
        assertThat(broker.upstream.calls().stream().filter(c -> "prompts/get".equals(c.message().path("method").asText()))
                .findFirst().orElseThrow().message().path("params").path("name").asText()).isEqualTo("greeting");
        assertThat(StreamSupport.stream(resources.spliterator(), false).map(r -> r.path("uri").asText()).toList())
                .containsExactly("file:///public/readme", "file:///secret/keys");
        assertThat(read.path("result").path("contents").path(0).path("uri").asText()).isEqualTo("file:///public/readme");
    }

    @Test
    void aStatelessAgentDiscoversTheVirtualServerAndReachesEachMemberInItsOwnGeneration() {
        ObjectNode discovered = body(stateless("server/discover", null, "{}"));
        JsonNode tools = body(stateless("tools/list", null, "{}")).path("result");
        ObjectNode legacyMember = body(stateless("tools/call", "pay__get_balance", "{\"name\":\"pay__get_balance\",\"arguments\":{}}"));
        ObjectNode statelessMember = body(stateless("tools/call", "led__get_balance", "{\"name\":\"led__get_balance\",\"arguments\":{}}"));

        assertThat(discovered.path("result").path(McpMeta.META).path(McpMeta.SERVER_INFO).path("name").asText()).isEqualTo(VIRTUAL);
        assertThat(discovered.path("result").path("supportedVersions").toString()).contains(V2026);
        assertThat(names(tools.path("tools"))).containsExactly("pay__get_balance", "pay__transfer", "pay__long_job",
                "led__get_balance", "led__transfer", "led__confirm_transfer");
        assertThat(tools.path(McpMeta.RESULT_TYPE).asText()).isEqualTo("complete");
        assertThat(tools.path(McpMeta.CACHE_SCOPE).asText()).isEqualTo("private");
        assertThat(text(legacyMember)).isEqualTo("balance 100");
        assertThat(legacyMember.path("result").path(McpMeta.RESULT_TYPE).asText()).isEqualTo("complete");
        assertThat(text(statelessMember)).isEqualTo("balance 100");
        assertThat(broker.sessions.all()).as("one held session with the legacy member, none for the virtual server")
                .singleElement().satisfies(held -> assertThat(held.serverId()).isEqualTo(SERVER));
    }

    @Test
    void notificationsAMemberSendsWhileAnsweringReachALegacyAgentAsEventsBeforeTheAnswer() {
        String session = initialize();
        String json = "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"tools/call\",\"params\":{\"name\":\"led__announce_change\",\"arguments\":{}}}";

        BrokerResponse response = broker.broker.post(new BrokerRequest(AGENT, VIRTUAL, session, VERSION, "announce-1", null,
                new BrokerRequest.Transport(null, null, true), json.getBytes(StandardCharsets.UTF_8)));

        assertThat(response.events()).extracting(event -> event.path("method").asText())
                .containsExactly("notifications/progress", "notifications/tools/list_changed");
        assertThat(text(response.body().orElseThrow())).isEqualTo("changed");
    }

    @Test
    void aResourceIsNotTriedOnAMemberWhoseGrantDoesNotCoverIt() {
        broker.policy.grant(AGENT.agentId(), TENANT, new ServerGrant(LEDGER, null, List.of("*"), null, null));
        String session = initialize();

        ObjectNode read = body(legacy(session, "resources/read", "{\"uri\":\"file:///public/readme\"}"));

        assertThat(read.path("error").path("code").asInt()).as("the ledger's own answer").isEqualTo(-32601);
        assertThat(broker.upstream.methods()).doesNotContain("resources/read");
        assertThat(broker.audit()).noneMatch(e -> e.decision() == AuditEvent.Decision.DENIED);
    }

    @Test
    void anUpstreamServerIdIsNeverShadowedByAVirtualServer() {
        assertThatThrownBy(() -> broker.virtualServers.define(new VirtualServer(SERVER, List.of(VirtualMember.of(LEDGER, null))), false))
                .isInstanceOf(VirtualServerRefusal.NameTaken.class);
    }

    private String initialize() {
        return initializeOn(VIRTUAL);
    }

    private String initializeOn(String virtual) {
        return post(virtual, null, null, "initialize", """
                {"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"legacy-agent","version":"1"}}""".formatted(VERSION))
                .headers().get("Mcp-Session-Id");
    }

    private BrokerResponse legacy(String session, String method, String params) {
        return post(VIRTUAL, session, session == null ? null : VERSION, method, params);
    }

    private BrokerResponse post(String server, String session, String version, String method, String params) {
        return post(server, session, version, method, params, null);
    }

    private BrokerResponse post(String server, String session, String version, String method, String params, String key) {
        String json = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":%s}".formatted(nextId++, method, params);
        return broker.broker.post(new BrokerRequest(AGENT, server, session, version, key, json.getBytes(StandardCharsets.UTF_8)));
    }

    private BrokerResponse stateless(String method, String name, String params) {
        try {
            ObjectNode parsed = (ObjectNode) InMemoryBroker.JSON.readTree(params);
            ObjectNode meta = parsed.withObjectProperty(McpMeta.META);
            meta.put(McpMeta.PROTOCOL_VERSION, V2026);
            meta.putObject(McpMeta.CLIENT_CAPABILITIES);
            meta.putObject(McpMeta.CLIENT_INFO).put("name", "stateless-agent").put("version", "1");
            ObjectNode message = InMemoryBroker.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
            message.set("params", parsed);
            return broker.broker.post(new BrokerRequest(AGENT, VIRTUAL, null, V2026, null, null,
                    new BrokerRequest.Transport(method, name, false), message.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectNode body(BrokerResponse response) {
        return response.body().orElseThrow();
    }

    private static List<String> names(JsonNode items) {
        List<String> names = new ArrayList<>();
        items.forEach(item -> names.add(item.path("name").asText()));
        return names;
    }
}
