package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.AGENT;
import static dev.mcpbroker.core.broker.InMemoryBroker.LEDGER;
import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static dev.mcpbroker.core.broker.InMemoryBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.upstream.UpstreamCall;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Agents speaking MCP 2026-07-28 (no sessions; version and capabilities in every request's {@code _meta}) through the
 * pipeline: the checks of the generation's edge, {@code server/discover} answered by the broker, requests relayed to
 * a stateless upstream as they are and to a legacy one inside a session the broker holds, multi round-trip requests
 * bound to their caller, and the same governance as session traffic.
 */
class StatelessPipelineTest {

    private static final String V2026 = "2026-07-28";

    private final InMemoryBroker broker = new InMemoryBroker();
    private int nextId = 100;

    @Test
    void aStatelessToolCallReachesAStatelessUpstreamWithoutAnySession() {
        ObjectNode answer = post(LEDGER, "tools/call", "get_balance", """
                {"name":"get_balance","arguments":{}}""").body().orElseThrow();

        assertThat(text(answer)).isEqualTo("balance 100");
        assertThat(answer.path("result").path(McpMeta.RESULT_TYPE).asText()).isEqualTo("complete");
        UpstreamCall sent = broker.statelessUpstream.calls().getLast();
        assertThat(sent.upstreamSessionId()).isNull();
        assertThat(sent.message().path("params").path(McpMeta.META).path(McpMeta.PROTOCOL_VERSION).asText()).isEqualTo(V2026);
        assertThat(sent.headers()).containsEntry(McpHeaders.MCP_METHOD, "tools/call").containsEntry(McpHeaders.MCP_NAME, "get_balance");
        assertThat(broker.sessions.all()).isEmpty();
    }

    @Test
    void aStatelessToolCallToALegacyUpstreamRunsInOneHeldSessionReusedByTheNextRequest() {
        ObjectNode first = post(SERVER, "tools/call", "get_balance", """
                {"name":"get_balance","arguments":{}}""").body().orElseThrow();
        ObjectNode second = post(SERVER, "tools/call", "get_balance", """
                {"name":"get_balance","arguments":{}}""").body().orElseThrow();

        assertThat(text(first)).isEqualTo("balance 100");
        assertThat(text(second)).isEqualTo("balance 100");
        assertThat(second.path("result").path(McpMeta.RESULT_TYPE).asText()).isEqualTo("complete");
        assertThat(broker.upstream.sessionsOpened()).isEqualTo(1);
        assertThat(broker.sessions.all()).singleElement().satisfies(held -> {
            assertThat(held.sessionId()).startsWith("held-");
            assertThat(held.protocolVersion()).isEqualTo(InMemoryBroker.VERSION);
        });
        // the legacy upstream never sees the stateless generation's _meta keys
        assertThat(broker.upstream.calls()).filteredOn(call -> "tools/call".equals(call.message().path("method").asText()))
                .allSatisfy(call -> assertThat(call.message().path("params").path(McpMeta.META).has(McpMeta.PROTOCOL_VERSION)).isFalse());
    }

    @Test
    void theHeldSessionOffersTheLegacyUpstreamNoCapabilityTheBrokerCannotRelay() {
        post(SERVER, "tools/list", null, "{}", null, """
                {"sampling":{},"elicitation":{},"roots":{"listChanged":true},"experimental":{"x":{}}}""");

        ObjectNode initialize = broker.upstream.calls().stream()
                .filter(call -> "initialize".equals(call.message().path("method").asText())).findFirst().orElseThrow().message();
        assertThat(initialize.path("params").path("capabilities").fieldNames()).toIterable().containsExactly("experimental");
        assertThat(initialize.path("params").has(McpMeta.META)).isFalse();
    }

    @Test
    void serverDiscoverIsAnsweredByTheBrokerWithWhatTheCallersGrantLetsItUse() {
        broker.policy.grant(AGENT.agentId(), InMemoryBroker.TENANT, new dev.mcpbroker.core.policy.ServerGrant(LEDGER,
                List.of("get_balance"), List.of(), List.of(), List.of()));

        ObjectNode result = post(LEDGER, "server/discover", null, "{}").body().orElseThrow().path("result").deepCopy();

        assertThat(result.path("supportedVersions")).extracting(Object::toString).asString().contains(V2026);
        assertThat(result.path("capabilities").has("tools")).isTrue();
        assertThat(result.path("capabilities").has("resources")).isFalse();
        assertThat(result.path(McpMeta.META).path(McpMeta.SERVER_INFO).path("name").asText()).isEqualTo("ledger");
        assertThat(result.path(McpMeta.CACHE_SCOPE).asText()).isEqualTo("private");
        assertThat(result.path(McpMeta.RESULT_TYPE).asText()).isEqualTo("complete");
    }

    @Test
    void listResultsMayBeCachedOnlyByTheCallerAndNoLongerThanAGrantChangeTakes() {
        ObjectNode result = post(LEDGER, "tools/list", null, "{}").body().orElseThrow().path("result").deepCopy();

        assertThat(result.path(McpMeta.CACHE_SCOPE).asText()).isEqualTo("private");
        assertThat(result.path(McpMeta.TTL_MS).asLong()).isEqualTo(30_000);
    }

    @Test
    void aHeaderThatContradictsTheBodyIsRefusedBeforeTheUpstreamIsContacted() {
        BrokerException wrongName = failure(() -> post(LEDGER, "tools/call", "transfer", """
                {"name":"get_balance","arguments":{}}"""));
        BrokerException noMethod = failure(() -> broker.broker.post(request(LEDGER, null, null, V2026, body("tools/list", "{}", "{}"))));

        assertThat(wrongName.code()).isEqualTo(ErrorCode.HEADER_MISMATCH);
        assertThat(wrongName.code().jsonRpcCode()).isEqualTo(-32020);
        assertThat(wrongName.code().httpStatus()).isEqualTo(400);
        assertThat(noMethod.code()).isEqualTo(ErrorCode.HEADER_MISMATCH);
        assertThat(broker.statelessUpstream.calls()).isEmpty();
    }

    @Test
    void anUnsupportedVersionIsRefusedNamingTheVersionsTheBrokerSpeaks() {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{
                 "io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}""";

        BrokerException refused = failure(() -> broker.broker.post(request(LEDGER, "tools/list", null, "2099-01-01", body)));

        assertThat(refused.code().jsonRpcCode()).isEqualTo(-32022);
        assertThat(refused.data().orElseThrow().path("supported").toString()).contains(V2026);
        assertThat(broker.statelessUpstream.calls()).isEmpty();
    }

    @Test
    void aRequestWithoutClientCapabilitiesIsRefused() {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}""";

        BrokerException refused = failure(() -> broker.broker.post(request(LEDGER, "tools/list", null, V2026, body)));

        assertThat(refused.code()).isEqualTo(ErrorCode.MISSING_FIELD);
        assertThat(refused.code().httpStatus()).isEqualTo(400);
    }

    @Test
    void aMultiRoundTripRequestCompletesForItsCallerWithTheStateTheUpstreamIssued() {
        ObjectNode asked = post(LEDGER, "tools/call", "confirm_transfer", """
                {"name":"confirm_transfer","arguments":{}}""", "idem-confirm-1").body().orElseThrow().path("result").deepCopy();
        assertThat(asked.path(McpMeta.RESULT_TYPE).asText()).isEqualTo("input_required");
        String sealed = asked.path(McpMeta.REQUEST_STATE).asText();
        assertThat(sealed).isNotEqualTo(InMemoryStatelessUpstream.ISSUED_STATE);

        ObjectNode done = post(LEDGER, "tools/call", "confirm_transfer", """
                {"name":"confirm_transfer","arguments":{},"inputResponses":{"confirm":{"action":"accept"}},"requestState":"%s"}"""
                .formatted(sealed), "idem-confirm-1").body().orElseThrow();

        ObjectNode repeated = post(LEDGER, "tools/call", "confirm_transfer", """
                {"name":"confirm_transfer","arguments":{},"inputResponses":{"confirm":{"action":"accept"}},"requestState":"%s"}"""
                .formatted(sealed), "idem-confirm-1").body().orElseThrow();

        assertThat(text(done)).isEqualTo("confirmed transfer #1");
        assertThat(text(repeated)).as("the key's answer is the completed call's, replayed").isEqualTo("confirmed transfer #1");
        assertThat(broker.statelessUpstream.transfers()).isEqualTo(1);
        assertThat(broker.statelessUpstream.calls().getLast().message().path("params").path(McpMeta.REQUEST_STATE).asText())
                .isEqualTo(InMemoryStatelessUpstream.ISSUED_STATE);
    }

    @Test
    void anotherIdentityCannotReplayARequestState() {
        ObjectNode asked = post(LEDGER, "tools/call", "confirm_transfer", """
                {"name":"confirm_transfer","arguments":{}}""", "idem-a").body().orElseThrow().path("result").deepCopy();
        String sealed = asked.path(McpMeta.REQUEST_STATE).asText();
        AgentIdentity other = new AgentIdentity("agent-b", InMemoryBroker.TENANT, "bob@example.com");
        broker.policy.grant(other.agentId(), InMemoryBroker.TENANT, new dev.mcpbroker.core.policy.ServerGrant(LEDGER, null));
        int before = broker.statelessUpstream.calls().size();

        BrokerException refused = failure(() -> broker.broker.post(new BrokerRequest(other, LEDGER, null, V2026, "idem-replay",
                null, new BrokerRequest.Transport("tools/call", "confirm_transfer", false), body("tools/call", """
                {"name":"confirm_transfer","arguments":{},"inputResponses":{"confirm":{"action":"accept"}},"requestState":"%s"}"""
                        .formatted(sealed), "{}").getBytes(StandardCharsets.UTF_8))));

        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_PARAMS);
        assertThat(broker.statelessUpstream.calls()).hasSize(before);
        assertThat(broker.statelessUpstream.transfers()).isZero();
    }

    @Test
    void aStateChangingStatelessCallNeedsAnIdempotencyKeyAndRunsOnceForRepeats() {
        BrokerException withoutKey = failure(() -> post(LEDGER, "tools/call", "transfer", """
                {"name":"transfer","arguments":{"amount":10}}"""));
        ObjectNode first = post(LEDGER, "tools/call", "transfer", """
                {"name":"transfer","arguments":{"amount":10}}""", "idem-1").body().orElseThrow();
        ObjectNode repeat = post(LEDGER, "tools/call", "transfer", """
                {"name":"transfer","arguments":{"amount":10}}""", "idem-1").body().orElseThrow();

        assertThat(withoutKey.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REQUIRED);
        assertThat(text(first)).isEqualTo("transfer #1");
        assertThat(text(repeat)).isEqualTo("transfer #1");
        assertThat(broker.statelessUpstream.transfers()).isEqualTo(1);
    }

    @Test
    void aToolOutsideTheGrantIsRefusedAndAuditedLikeSessionTraffic() {
        broker.policy.grant(AGENT.agentId(), InMemoryBroker.TENANT, new dev.mcpbroker.core.policy.ServerGrant(LEDGER,
                List.of("get_balance")));

        BrokerException refused = failure(() -> post(LEDGER, "tools/call", "transfer", """
                {"name":"transfer","arguments":{}}""", "idem-2"));

        assertThat(refused.code()).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        assertThat(broker.statelessUpstream.transfers()).isZero();
        assertThat(broker.audit()).anySatisfy(event -> assertThat(event.toString()).contains("tool_not_allowed"));
    }

    @Test
    void upstreamNotificationsPrecedeTheAnswerForAnAgentThatAcceptsAnEventStream() {
        BrokerResponse streamed = broker.broker.post(request(LEDGER, "tools/call", "get_balance", V2026,
                body("tools/call", """
                        {"name":"get_balance","arguments":{}}""", "{}"), true));
        BrokerResponse plain = post(LEDGER, "tools/call", "get_balance", """
                {"name":"get_balance","arguments":{}}""");

        assertThat(streamed.isEventStream()).isTrue();
        assertThat(streamed.events()).singleElement()
                .satisfies(event -> assertThat(event.path("method").asText()).isEqualTo("notifications/progress"));
        assertThat(plain.isEventStream()).isFalse();
    }

    @Test
    void aLegacyAgentThatAcceptsAnEventStreamGetsTheUpstreamsLogMessagesBeforeTheAnswer() {
        String session = broker.initialize();

        BrokerResponse streamed = broker.broker.post(new BrokerRequest(AGENT, SERVER, session, InMemoryBroker.VERSION, null,
                null, new BrokerRequest.Transport(null, null, true), """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_balance","arguments":{}}}"""
                .getBytes(StandardCharsets.UTF_8)));

        assertThat(streamed.isEventStream()).isTrue();
        assertThat(streamed.events()).singleElement()
                .satisfies(event -> assertThat(event.path("method").asText()).isEqualTo("notifications/message"));
    }

    @Test
    void subscriptionsToALegacyUpstreamAreRefusedClearlyBeforeItIsContacted() {
        BrokerException refused = failure(() -> post(SERVER, "subscriptions/listen", null, """
                {"notifications":{"toolsListChanged":true}}"""));

        assertThat(refused.code()).isEqualTo(ErrorCode.NOT_RELAYABLE);
        assertThat(broker.upstream.methods()).doesNotContain("subscriptions/listen", "initialize");
    }

    @Test
    void aMethodOfTheLegacyGenerationOnlyIsUnknownToAStatelessAgent() {
        BrokerException refused = failure(() -> post(LEDGER, "logging/setLevel", null, """
                {"level":"info"}"""));

        assertThat(refused.code()).isEqualTo(ErrorCode.METHOD_NOT_FOUND);
        assertThat(refused.code().httpStatus()).isEqualTo(404);
    }

    @Test
    void aRequestOutsideASessionWhoseHeaderNamesTheStatelessVersionIsStatelessEvenWithoutMeta() {
        BrokerException refused = failure(() -> broker.broker.post(request(LEDGER, "server/discover", null, V2026, """
                {"jsonrpc":"2.0","id":101,"method":"server/discover","params":{}}""")));

        assertThat(refused.code()).isEqualTo(ErrorCode.MISSING_FIELD);
        assertThat(refused.code().jsonRpcCode()).isEqualTo(-32602);
        assertThat(refused.code().httpStatus()).isEqualTo(400);
    }

    @Test
    void aBodyVersionOtherThanTheHeadersIsAHeaderMismatchEvenWhenUnsupported() {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{
                 "io.modelcontextprotocol/protocolVersion":"v999.0.0","io.modelcontextprotocol/clientCapabilities":{}}}}""";

        BrokerException refused = failure(() -> broker.broker.post(request(LEDGER, "server/discover", null, V2026, body)));

        assertThat(refused.code()).isEqualTo(ErrorCode.HEADER_MISMATCH);
    }

    @Test
    void anInitializeUnderTheStatelessVersionIsAMethodTheGenerationDoesNotHave() {
        String body = """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2026-07-28","capabilities":{},
                 "clientInfo":{"name":"x","version":"1"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                 "io.modelcontextprotocol/clientCapabilities":{}}}}""";

        BrokerException refused = failure(() -> broker.broker.post(request(LEDGER, "initialize", null, V2026, body)));

        assertThat(refused.code()).isEqualTo(ErrorCode.METHOD_NOT_FOUND);
        assertThat(refused.code().httpStatus()).isEqualTo(404);
        assertThat(broker.sessions.all()).isEmpty();
    }

    @Test
    void anUpstreamsMethodNotFoundReachesTheStatelessAgentWithStatus404() {
        broker.policy.grant(AGENT.agentId(), InMemoryBroker.TENANT, new dev.mcpbroker.core.policy.ServerGrant(LEDGER, null,
                List.of("*"), List.of("*"), null));

        BrokerResponse answer = post(LEDGER, "resources/list", null, "{}");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().orElseThrow().path("error").path("code").asInt()).isEqualTo(-32601);
    }

    @Test
    void aLegacyAgentsPingToAStatelessUpstreamIsAnsweredByTheBrokerAndALogLevelOrSubscriptionIsRefused() {
        broker.policy.grant(AGENT.agentId(), InMemoryBroker.TENANT, new dev.mcpbroker.core.policy.ServerGrant(LEDGER, null,
                List.of("*"), List.of("*"), null));
        String session = openLegacySession(LEDGER).headers().get(McpHeaders.SESSION_ID);
        int before = broker.statelessUpstream.calls().size();

        ObjectNode pong = legacyRequest(session, """
                {"jsonrpc":"2.0","id":2,"method":"ping"}""").body().orElseThrow();

        assertThat(pong.path("result").isObject()).isTrue();
        for (String body : List.of("""
                {"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"info"}}""", """
                {"jsonrpc":"2.0","id":4,"method":"resources/subscribe","params":{"uri":"ledger://accounts"}}""", """
                {"jsonrpc":"2.0","id":5,"method":"resources/unsubscribe","params":{"uri":"ledger://accounts"}}""")) {
            BrokerException refused = failure(() -> legacyRequest(session, body));
            assertThat(refused.code()).as(body).isEqualTo(ErrorCode.NOT_RELAYABLE);
        }
        assertThat(broker.statelessUpstream.calls()).hasSize(before);
    }

    @Test
    void aSessionOnAStatelessUpstreamAnnouncesNoLoggingSubscriptionsOrListChangesThatGenerationCannotServeIt() {
        ObjectNode capabilities = openLegacySession(LEDGER).body().orElseThrow().path("result").path("capabilities").deepCopy();

        // The upstream's discovery announces all three (InMemoryStatelessUpstream).
        assertThat(capabilities.has("logging")).isFalse();
        assertThat(capabilities.path("resources").isObject()).isTrue();
        assertThat(capabilities.path("resources").has("subscribe")).isFalse();
        assertThat(capabilities.path("resources").has("listChanged")).isFalse();
        assertThat(capabilities.has("tools")).isTrue();
    }

    @Test
    void discoveryOfALegacyUpstreamPromisesNoChangeNotificationsTheBrokerCannotDeliver() {
        ObjectNode capabilities = post(SERVER, "server/discover", null, "{}").body().orElseThrow()
                .path("result").path("capabilities").deepCopy();

        assertThat(capabilities.has("tools")).isTrue();
        assertThat(capabilities.path("tools").has("listChanged")).isFalse();
    }

    @Test
    void aStatelessAgentGetsLogMessagesOnlyAtTheLevelItsRequestAsksFor() {
        BrokerResponse silent = broker.broker.post(request(SERVER, "tools/call", "get_balance", V2026,
                body("tools/call", """
                        {"name":"get_balance","arguments":{}}""", "{}"), true));
        BrokerResponse logged = broker.broker.post(request(SERVER, "tools/call", "get_balance", V2026,
                body("tools/call", """
                        {"name":"get_balance","arguments":{},"_meta":{"io.modelcontextprotocol/logLevel":"debug"}}""", "{}"), true));
        BrokerResponse onlyErrors = broker.broker.post(request(SERVER, "tools/call", "get_balance", V2026,
                body("tools/call", """
                        {"name":"get_balance","arguments":{},"_meta":{"io.modelcontextprotocol/logLevel":"error"}}""", "{}"), true));

        assertThat(silent.events()).isEmpty();
        assertThat(logged.events()).singleElement()
                .satisfies(event -> assertThat(event.path("method").asText()).isEqualTo("notifications/message"));
        assertThat(onlyErrors.events()).isEmpty();
    }

    @Test
    void theAgentsParamHeadersTravelWithItsToolCallToAStatelessUpstream() {
        broker.broker.post(new BrokerRequest(AGENT, LEDGER, null, V2026, null, null,
                new BrokerRequest.Transport("tools/call", "get_balance", false, java.util.Map.of("Mcp-Param-Region", "eu")),
                body("tools/call", """
                        {"name":"get_balance","arguments":{"region":"eu"}}""", "{}").getBytes(StandardCharsets.UTF_8)));

        assertThat(broker.statelessUpstream.calls().getLast().headers()).containsEntry("Mcp-Param-Region", "eu");
    }

    @Test
    void deletingASessionWithTheStatelessVersionIsNotAllowed() {
        BrokerException refused = failure(() -> broker.broker.delete(AGENT, LEDGER, null, V2026));

        assertThat(refused.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
        assertThat(refused.code().httpStatus()).isEqualTo(405);
    }

    @Test
    void aLegacyInitializeReachesALegacyUpstreamAsItIsWithoutAskingFirstWhichGenerationItSpeaks() {
        broker.initialize();

        assertThat(broker.upstream.methods()).containsExactly("initialize", "notifications/initialized");
    }

    @Test
    void aLegacyInitializeWhoseIntentCannotBeRecordedContactsNoUpstreamOfEitherGeneration() {
        broker.outbox.down(true);

        for (String server : List.of(SERVER, LEDGER)) {
            BrokerException refused = failure(() -> broker.broker.post(new BrokerRequest(AGENT, server, null, null, null, """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                     "capabilities":{},"clientInfo":{"name":"legacy-agent","version":"1"}}}""".getBytes(StandardCharsets.UTF_8))));
            assertThat(refused.code()).as(server).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
        }
        assertThat(broker.upstream.methods()).isEmpty();
        assertThat(broker.statelessUpstream.calls()).isEmpty();
    }

    @Test
    void aLegacyAgentReachesAStatelessUpstreamThroughASessionOfTheBrokersOwn() {
        BrokerResponse opened = broker.broker.post(new BrokerRequest(AGENT, LEDGER, null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"legacy-agent","version":"1"}}}""".getBytes(StandardCharsets.UTF_8)));
        String session = opened.headers().get(McpHeaders.SESSION_ID);
        ObjectNode answer = broker.broker.post(new BrokerRequest(AGENT, LEDGER, session, "2025-11-25", null, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_balance","arguments":{}}}"""
                .getBytes(StandardCharsets.UTF_8))).body().orElseThrow();

        assertThat(opened.body().orElseThrow().path("result").path("serverInfo").path("name").asText()).isEqualTo("ledger");
        assertThat(text(answer)).isEqualTo("balance 100");
        UpstreamCall sent = broker.statelessUpstream.calls().getLast();
        assertThat(sent.upstreamSessionId()).isNull();
        assertThat(sent.message().path("params").path(McpMeta.META).path(McpMeta.CLIENT_INFO).path("name").asText())
                .isEqualTo("legacy-agent");
    }

    private BrokerResponse openLegacySession(String server) {
        return broker.broker.post(new BrokerRequest(AGENT, server, null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"legacy-agent","version":"1"}}}""".getBytes(StandardCharsets.UTF_8)));
    }

    private BrokerResponse legacyRequest(String session, String body) {
        return broker.broker.post(new BrokerRequest(AGENT, LEDGER, session, "2025-11-25", null,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    private BrokerResponse post(String server, String method, String name, String params) {
        return post(server, method, name, params, null, "{}");
    }

    private BrokerResponse post(String server, String method, String name, String params, String idempotencyKey) {
        return post(server, method, name, params, idempotencyKey, "{}");
    }

    private BrokerResponse post(String server, String method, String name, String params, String idempotencyKey,
                                String capabilities) {
        return broker.broker.post(new BrokerRequest(AGENT, server, null, V2026, idempotencyKey, null,
                new BrokerRequest.Transport(method, name, false),
                body(method, params, capabilities).getBytes(StandardCharsets.UTF_8)));
    }

    private String body(String method, String params, String capabilities) {
        ObjectNode message = InMemoryBroker.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
        try {
            ObjectNode parsed = (ObjectNode) InMemoryBroker.JSON.readTree(params);
            ObjectNode meta = parsed.withObjectProperty(McpMeta.META);
            meta.put(McpMeta.PROTOCOL_VERSION, V2026);
            meta.set(McpMeta.CLIENT_CAPABILITIES, InMemoryBroker.JSON.readTree(capabilities));
            meta.putObject(McpMeta.CLIENT_INFO).put("name", "stateless-agent").put("version", "1");
            message.set("params", parsed);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        return message.toString();
    }

    private static BrokerRequest request(String server, String method, String name, String version, String body) {
        return request(server, method, name, version, body, false);
    }

    private static BrokerRequest request(String server, String method, String name, String version, String body,
                                         boolean acceptsEventStream) {
        return new BrokerRequest(AGENT, server, null, version, null, null,
                new BrokerRequest.Transport(method, name, acceptsEventStream), body.getBytes(StandardCharsets.UTF_8));
    }
}
