package dev.mcpbroker.function;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static dev.mcpbroker.function.BrokerTestResources.AGENT_B;
import static dev.mcpbroker.function.BrokerTestResources.LEDGER;
import static dev.mcpbroker.function.BrokerTestResources.PAYMENTS;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.attribute;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.childrenOf;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.mcpRequests;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditEvent;
import java.util.stream.Collectors;
import java.time.Duration;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.function.telemetry.CapturedTelemetry;
import dev.mcpbroker.function.telemetry.McpAttributes;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Traces of the function's real request path: one SERVER span per MCP request with the MCP semantic
 * conventions' attributes, a child span for every DynamoDB and upstream call, one trace from the agent's
 * span to what the upstream received, and nothing in any span that an agent sent as data or the broker
 * holds as a secret.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class TracingTest {

    private static final String VERSION = "2025-11-25";
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"tracing-test","version":"1.0"}}}""";

    @Inject
    OpenTelemetry openTelemetry;
    @Inject
    InMemorySpanExporter spanExporter;
    @Inject
    InMemoryMetricExporter metricExporter;

    private CapturedTelemetry telemetry;

    @BeforeEach
    void forgetEarlierTelemetry() {
        telemetry = new CapturedTelemetry(openTelemetry, spanExporter, metricExporter);
        telemetry.reset();
    }

    private static RequestSpecification as(String token, Map<String, String> headers) {
        RequestSpecification spec = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + token);
        headers.forEach(spec::header);
        return spec;
    }

    private static String open(String token, String server, Map<String, String> headers) {
        return as(token, headers).body(INITIALIZE).post("/mcp/" + server).then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    private static Response call(String token, String server, String session, Map<String, String> headers, String body) {
        return as(token, headers).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION).body(body)
                .post("/mcp/" + server);
    }

    private static String toolCall(Object id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    private static String traceIdOf(String traceparent) {
        return traceparent.split("-")[1];
    }

    private static String parentIdOf(String traceparent) {
        return traceparent.split("-")[2];
    }

    private static SpanData onlyRequest(List<SpanData> spans, String name) {
        List<SpanData> found = mcpRequests(spans).filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as("MCP request spans named %s among %s", name, spans.stream().map(SpanData::getName).toList())
                .hasSize(1);
        return found.get(0);
    }

    @Test
    void oneTraceLinksTheAgentsSpanTheBrokersSpansAndTheTraceparentTheUpstreamReceived() {
        Span agent = openTelemetry.getTracer("test-agent").spanBuilder("agent task").setSpanKind(SpanKind.CLIENT).startSpan();
        Map<String, String> traceHeaders = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(agent), traceHeaders, Map::put);
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, traceHeaders);
        Response echoed = call(token, PAYMENTS, session, traceHeaders, toolCall(2, "echo_trace_context", "{}"));
        agent.end();
        echoed.then().statusCode(200);
        String agentTrace = agent.getSpanContext().getTraceId();

        List<SpanData> spans = telemetry.spansOnce(all -> all.stream().filter(s -> s.getKind() == SpanKind.SERVER).count() >= 4);
        SpanData mcp = onlyRequest(spans, "tools/call echo_trace_context");
        SpanData http = spans.stream().filter(s -> s.getSpanId().equals(mcp.getParentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("the parent of " + mcp.getName() + " was not exported"));
        assertThat(http.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(http.getParentSpanId()).as("the HTTP server span continues the agent's traceparent")
                .isEqualTo(agent.getSpanContext().getSpanId());
        assertThat(Stream.of(http, mcp)).allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(agentTrace));

        // the upstream call is a CLIENT child of the MCP span, and its context is what the upstream received
        SpanData upstream = childrenOf(mcp, spans).filter(s -> s.getKind() == SpanKind.CLIENT
                && s.getName().equals("tools/call echo_trace_context")).findFirst().orElseThrow();
        String headerTraceparent = echoed.jsonPath().getString("result.structuredContent.headerTraceparent");
        String metaTraceparent = echoed.jsonPath().getString("result.structuredContent.metaTraceparent");
        for (String received : List.of(headerTraceparent, metaTraceparent,
                BrokerTestResources.payments().lastRequestHeaders().get("traceparent"))) {
            assertThat(traceIdOf(received)).isEqualTo(agentTrace);
            assertThat(parentIdOf(received)).isEqualTo(upstream.getSpanId());
        }
        // the session read is a DynamoDB child span of the same request
        assertThat(childrenOf(mcp, spans)).anySatisfy(child -> {
            assertThat(child.getName()).isEqualTo("DynamoDb.GetItem");
            assertThat(child.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(child.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("aws-api");
        });
        // and so is everything initialize did: DynamoDB writes and the upstream initialize
        SpanData initialize = onlyRequest(spans, "initialize");
        assertThat(initialize.getTraceId()).isEqualTo(agentTrace);
        assertThat(childrenOf(initialize, spans).map(SpanData::getName).toList())
                .contains("initialize", "notifications/initialized", "DynamoDb.PutItem");
    }

    @Test
    void namesAnAgentMakesUpStayInSpansCappedButBeyondTheLimitAreOneMetricSeries() {
        String server = "probe-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerTestResources.admin().registerServer(server, BrokerTestResources.payments().mcpEndpoint(), UpstreamAuth.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(20));
        BrokerTestResources.admin().grant(AGENT_A, BrokerTestResources.TENANT, new ServerGrant(server, null));
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, server, Map.of());
        int names = BrokerTestResources.METRIC_TOOLS_PER_SERVER + 10;
        for (int i = 0; i < names; i++) {
            call(token, server, session, Map.of(), toolCall(100 + i, "probe_" + i, "{}"));
        }
        String huge = "x".repeat(5_000);
        call(token, server, session, Map.of(), toolCall(200, huge, "{}"));
        call(token, server, session, Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":201,\"method\":\"" + huge + "\"}");

        List<SpanData> requests = mcpRequests(telemetry.spans())
                .filter(s -> server.equals(attribute(s, McpAttributes.SERVER))).toList();
        assertThat(requests.stream().map(s -> attribute(s, McpAttributes.GEN_AI_TOOL_NAME)))
                .as("every name, as the agent sent it, in the trace").contains("probe_0", "probe_" + (names - 1));
        assertThat(requests).allSatisfy(span -> {
            assertThat(span.getName().length()).isLessThanOrEqualTo("tools/call ".length() + 129);
            assertThat(span.getAttributes().asMap().values()).allSatisfy(value ->
                    assertThat(value.toString().length()).isLessThanOrEqualTo(129));
        });
        List<HistogramPointData> points = telemetry.histogramPoints("mcp.server.operation.duration").stream()
                .filter(p -> server.equals(p.getAttributes().get(McpAttributes.SERVER))).toList();
        Map<String, Long> callsByTool = points.stream().filter(p -> p.getAttributes().get(McpAttributes.GEN_AI_TOOL_NAME) != null)
                .collect(Collectors.groupingBy(p -> p.getAttributes().get(McpAttributes.GEN_AI_TOOL_NAME),
                        Collectors.summingLong(HistogramPointData::getCount)));
        assertThat(callsByTool).hasSize(BrokerTestResources.METRIC_TOOLS_PER_SERVER + 1)
                .containsEntry("probe_0", 1L).containsEntry(MetricDimensions.OTHER, 11L);
        assertThat(points).anySatisfy(p -> assertThat(p.getAttributes().get(McpAttributes.MCP_METHOD_NAME))
                .isEqualTo(MetricDimensions.OTHER));
        assertThat(telemetry.histogramPoints("mcp.broker.tool.duration").stream()
                .filter(p -> server.equals(p.getAttributes().get(McpAttributes.SERVER)))
                .map(p -> p.getAttributes().get(McpAttributes.GEN_AI_TOOL_NAME)).distinct())
                .hasSize(BrokerTestResources.METRIC_TOOLS_PER_SERVER + 1);
    }

    @Test
    void eachInvocationsSpansAndMetricsAreExportedBeforeItsAnswerArrives() {
        // The batch processor's own schedule is an hour in the tests: only the per-invocation flush exports.
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, Map.of());
        spanExporter.reset();
        metricExporter.reset();

        call(token, PAYMENTS, session, Map.of(), toolCall(11, "get_balance", "{\"account\":\"alice\"}"))
                .then().statusCode(200);

        List<SpanData> exported = spanExporter.getFinishedSpanItems();
        SpanData request = onlyRequest(exported, "tools/call get_balance");
        assertThat(exported).as("the HTTP server span, parent of the MCP span, left with it")
                .anySatisfy(s -> assertThat(s.getSpanId()).isEqualTo(request.getParentSpanId()));
        assertThat(childrenOf(request, exported).map(SpanData::getName))
                .contains("tools/call get_balance", "DynamoDb.GetItem");
        assertThat(metricExporter.getFinishedMetricItems())
                .anySatisfy(m -> assertThat(m.getName()).isEqualTo("mcp.server.operation.duration"));
    }

    @Test
    void theMcpSpanCarriesTheSemanticConventionsAttributes() {
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, Map.of());
        call(token, PAYMENTS, session, Map.of(), toolCall("\"call-7\"", "get_balance", "{\"account\":\"alice\"}"))
                .then().statusCode(200);

        SpanData span = onlyRequest(telemetry.spans(), "tools/call get_balance");
        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(attribute(span, McpAttributes.MCP_METHOD_NAME)).isEqualTo("tools/call");
        assertThat(attribute(span, McpAttributes.GEN_AI_TOOL_NAME)).isEqualTo("get_balance");
        assertThat(attribute(span, McpAttributes.GEN_AI_OPERATION_NAME)).isEqualTo("execute_tool");
        assertThat(attribute(span, McpAttributes.JSONRPC_REQUEST_ID)).isEqualTo("call-7");
        assertThat(attribute(span, McpAttributes.MCP_PROTOCOL_VERSION)).isEqualTo(VERSION);
        assertThat(attribute(span, McpAttributes.MCP_SESSION_ID)).isEqualTo(SessionIds.hash(session));
        assertThat(attribute(span, McpAttributes.SERVER)).isEqualTo(PAYMENTS);
        assertThat(attribute(span, McpAttributes.AGENT)).isEqualTo(AGENT_A);
        assertThat(attribute(span, McpAttributes.TENANT)).isEqualTo(BrokerTestResources.TENANT);
        assertThat(attribute(span, McpAttributes.OUTCOME)).isEqualTo("ok");
        assertThat(attribute(span, McpAttributes.ERROR_TYPE)).isNull();
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void idempotentReplaysAndKeyConflictsAreOnTheSpan() {
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, Map.of());
        call(token, PAYMENTS, session, Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").then().statusCode(200);
        Map<String, String> key = Map.of("Idempotency-Key", "trace-" + UUID.randomUUID());
        String transfer = toolCall(3, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}");
        call(token, PAYMENTS, session, key, transfer).then().statusCode(200);
        call(token, PAYMENTS, session, key, transfer).then().statusCode(200);
        call(token, PAYMENTS, session, key, toolCall(4, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":2}"))
                .then().statusCode(200);

        List<SpanData> transfers = mcpRequests(telemetry.spans()).filter(s -> s.getName().equals("tools/call transfer")).toList();
        assertThat(transfers).extracting(s -> attribute(s, McpAttributes.IDEMPOTENCY))
                .containsExactly("execute", "replay", "conflict");
        SpanData conflict = transfers.get(2);
        assertThat(attribute(conflict, McpAttributes.REASON)).isEqualTo("idempotency_key_reused");
        assertThat(attribute(conflict, McpAttributes.ERROR_TYPE)).isEqualTo("-31051");
        assertThat(attribute(conflict, McpAttributes.FAILURE_CLASS)).isEqualTo("deterministic");
        assertThat(conflict.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        // and counted per decision
        Map<String, Long> decisions = new HashMap<>();
        telemetry.counterPoints("mcp.broker.idempotency.decisions").forEach(point -> decisions.merge(
                point.getAttributes().get(AttributeKey.stringKey("mcp.broker.idempotency.decision")), point.getValue(), Long::sum));
        assertThat(decisions).isEqualTo(Map.of("execute", 1L, "replay", 1L, "conflict", 1L));
        // only the executed call went upstream
        List<SpanData> spans = telemetry.spans();
        assertThat(transfers).extracting(t -> childrenOf(t, spans).filter(c -> c.getName().equals("tools/call transfer")).count())
                .containsExactly(1L, 0L, 0L);
    }

    @Test
    void traceContextAnAgentCarriesInMetaIsLinkedToTheRequestSpan() {
        Span agent = openTelemetry.getTracer("test-agent").spanBuilder("agent over a header-less transport").startSpan();
        agent.end();
        SpanContext context = agent.getSpanContext();
        String traceparent = "00-" + context.getTraceId() + "-" + context.getSpanId() + "-01";
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, Map.of());
        call(token, PAYMENTS, session, Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                + "{\"traceparent\":\"" + traceparent + "\"}}}").then().statusCode(200);

        SpanData list = onlyRequest(telemetry.spans(), "tools/list");
        assertThat(list.getLinks()).anySatisfy(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(context.getTraceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(context.getSpanId());
        });
    }

    @Test
    void auditEventsCarryTheTraceIdOfTheirRequest() {
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS, Map.of());
        call(token, PAYMENTS, session, Map.of(), toolCall(6, "get_balance", "{\"account\":\"bob\"}")).then().statusCode(200);

        SpanData span = onlyRequest(telemetry.spans(), "tools/call get_balance");
        List<AuditEvent> events = new DynamoDbAuditOutbox(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE)
                .undelivered(session, 100).stream().filter(e -> "get_balance".equals(e.tool())).toList();
        assertThat(events).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT, AuditEvent.Kind.OUTCOME);
        assertThat(events).allSatisfy(event -> assertThat(event.traceId()).isEqualTo(span.getTraceId()));
    }

    @Test
    void refusalsAtTheEdgeAndInThePolicyLayerAreCountedPerReason() {
        as("not-a-jwt", Map.of()).body(INITIALIZE).post("/mcp/" + PAYMENTS).then().statusCode(401);
        String token = BrokerTestResources.token(AGENT_B);
        String session = open(token, PAYMENTS, Map.of());
        call(token, PAYMENTS, session, Map.of(), toolCall(3, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}"))
                .then().statusCode(200);
        as(token, Map.of()).body(INITIALIZE).post("/mcp/" + LEDGER).then().statusCode(403);

        Map<String, Long> denied = new HashMap<>();
        telemetry.counterPoints("mcp.broker.requests.denied").forEach(point ->
                denied.merge(point.getAttributes().get(AttributeKey.stringKey("mcp.broker.reason")), point.getValue(), Long::sum));
        assertThat(denied).containsEntry("token_malformed", 1L).containsEntry("tool_not_allowed", 1L)
                .containsEntry("server_not_allowed", 1L);
        // the refused requests are traced like any other
        List<SpanData> spans = telemetry.spans();
        assertThat(mcpRequests(spans).map(s -> attribute(s, McpAttributes.REASON)).toList())
                .contains("token_malformed", "tool_not_allowed", "server_not_allowed");
    }

    @Test
    void noSecretTokenArgumentIdempotencyKeyOrSessionIdBecomesPartOfAnySpan() {
        String token = BrokerTestResources.token(AGENT_A);
        String expired = BrokerTestResources.TOKENS.forAgent(AGENT_A).tenant(BrokerTestResources.TENANT)
                .expiresAt(java.time.Instant.now().minusSeconds(600)).sign();
        String argument = "argument-marker-" + UUID.randomUUID();
        String key = "key-marker-" + UUID.randomUUID();
        List<String> sessions = new ArrayList<>();

        String ledger = open(token, LEDGER, Map.of());
        sessions.add(ledger);
        // the upstream echoes the credential the broker attached; the broker redacts it
        call(token, LEDGER, ledger, Map.of(), toolCall(2, "echo_credentials", "{}")).then().statusCode(200);
        call(token, LEDGER, ledger, Map.of(), toolCall(3, "get_balance", "{\"account\":\"" + argument + "\"}")).then().statusCode(200);
        String payments = open(token, PAYMENTS, Map.of());
        sessions.add(payments);
        call(token, PAYMENTS, payments, Map.of("Idempotency-Key", key), toolCall(4, "transfer",
                "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1,\"memo\":\"" + argument + "\"}")).then().statusCode(200);
        as(expired, Map.of()).body(INITIALIZE).post("/mcp/" + PAYMENTS).then().statusCode(401);
        as(token, Map.of()).header("Mcp-Session-Id", payments).header("MCP-Protocol-Version", VERSION)
                .delete("/mcp/" + PAYMENTS).then().statusCode(204);

        String secret = AwsEnvironment.shared().secretsManager()
                .getSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID)).secretString();
        List<String> forbidden = new ArrayList<>(List.of(secret, token, expired, argument, key));
        forbidden.addAll(sessions);
        List<SpanData> spans = telemetry.spans();
        assertThat(spans).hasSizeGreaterThan(20);
        for (SpanData span : spans) {
            String everything = everythingIn(span);
            assertThat(forbidden).as("in span %s", span.getName()).allSatisfy(value -> assertThat(everything).doesNotContain(value));
        }
        // what a span may show of a session is its hash
        assertThat(spans).anySatisfy(span -> assertThat(attribute(span, McpAttributes.MCP_SESSION_ID)).isEqualTo(SessionIds.hash(ledger)));
    }

    /** Name, attributes, events, links and status of a span, as text. */
    private static String everythingIn(SpanData span) {
        StringBuilder text = new StringBuilder(span.getName()).append(span.getAttributes()).append(span.getStatus());
        span.getEvents().forEach(event -> text.append(event.getName()).append(event.getAttributes()));
        span.getLinks().forEach(link -> text.append(link.getAttributes()));
        return text.append(span.getResource().getAttributes()).toString();
    }
}
