package dev.mcpbroker.function;

import static dev.mcpbroker.function.support.McpHttp.INITIALIZE;
import static dev.mcpbroker.function.support.McpHttp.VERSION;
import static dev.mcpbroker.function.support.McpHttp.as;
import static dev.mcpbroker.function.support.McpHttp.call;
import static dev.mcpbroker.function.support.McpHttp.open;
import static dev.mcpbroker.function.support.McpHttp.toolCall;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static dev.mcpbroker.function.BrokerTestResources.LEDGER;
import static dev.mcpbroker.function.BrokerTestResources.PAYMENTS;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.attribute;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.childrenOf;
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.mcpRequests;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.function.telemetry.CapturedTelemetry;
import dev.mcpbroker.function.telemetry.McpAttributes;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import io.restassured.response.Response;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The questions an operator asks during an incident, each answered from the function's telemetry alone
 * (exported spans, OpenTelemetry metrics, EMF metric lines), after real failures against real upstreams:
 * which tool failed and after how many retries and heals; the p99 latency per tool during a burst; which
 * tenant hit a rate limit. The scenario's own knowledge is used only to check the answer.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class TelemetryAnswersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

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

    // ---- (a) which tool failed, and after how many retries and heals ----------------------------------

    /** What the trace of one failed request says, read as an operator reads a trace view. */
    private record FailedCall(String server, String tool, String reason, String failureClass, long attempts, long heals,
                              List<String> upstreamErrors, boolean credentialReread) {
    }

    private static FailedCall readFromTrace(SpanData request, List<SpanData> spans) {
        String tool = attribute(request, McpAttributes.GEN_AI_TOOL_NAME);
        List<SpanData> children = childrenOf(request, spans).toList();
        List<SpanData> attempts = children.stream()
                .filter(c -> c.getKind() == SpanKind.CLIENT && c.getName().equals("tools/call " + tool)).toList();
        long heals = children.stream().filter(c -> c.getKind() == SpanKind.CLIENT && c.getName().equals("initialize")).count();
        Long reopened = attribute(request, McpAttributes.UPSTREAM_REOPENED);
        assertThat(reopened == null ? 0 : reopened).as("heals the span counts and the initialize spans under it").isEqualTo(heals);
        return new FailedCall(attribute(request, McpAttributes.SERVER), tool, attribute(request, McpAttributes.REASON),
                attribute(request, McpAttributes.FAILURE_CLASS), attempts.size(), heals,
                attempts.stream().map(a -> attribute(a, McpAttributes.ERROR_TYPE)).toList(),
                children.stream().anyMatch(c -> c.getName().equals("SecretsManager.GetSecretValue")));
    }

    @Test
    void whichToolFailedAndAfterHowManyRetriesAndHealsIsReadFromTheTrace() throws Exception {
        String token = BrokerTestResources.token(AGENT_A);
        // A state-changing call after the upstream lost the session: healed, never resent.
        String payments = open(token, PAYMENTS);
        call(token, PAYMENTS, payments, null, TOOLS_LIST).then().statusCode(200);
        endUpstreamSessionBehindTheBroker(payments);
        call(token, PAYMENTS, payments, "heal-" + UUID.randomUUID(),
                toolCall("transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}")).then().statusCode(502);
        // A read refused by an upstream that takes neither the cached credential nor the re-read one.
        String ledger = open(token, LEDGER);
        call(token, LEDGER, ledger, null, TOOLS_LIST).then().statusCode(200);
        String current = AwsEnvironment.shared().secretsManager()
                .getSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID)).secretString();
        BrokerTestResources.ledger().requireCredential("Authorization", "Bearer not-the-stored-one-" + UUID.randomUUID());
        try {
            call(token, LEDGER, ledger, null, toolCall("get_balance", "{\"account\":\"alice\"}")).then().statusCode(502);
        } finally {
            BrokerTestResources.ledger().requireCredential("Authorization", "Bearer " + current);
        }

        // From here on, only telemetry.
        List<SpanData> spans = telemetry.spans();
        Map<String, FailedCall> failed = mcpRequests(spans)
                .filter(s -> attribute(s, McpAttributes.ERROR_TYPE) != null)
                .map(s -> readFromTrace(s, spans))
                .collect(Collectors.toMap(FailedCall::tool, call -> call));

        assertThat(failed.keySet()).containsExactlyInAnyOrder("transfer", "get_balance");
        assertThat(failed.get("transfer")).isEqualTo(new FailedCall(PAYMENTS, "transfer", "upstream_session_lost",
                "not_executed", 1, 1, List.of("session_gone"), false));
        assertThat(failed.get("get_balance")).isEqualTo(new FailedCall(LEDGER, "get_balance", "upstream_rejected",
                "deterministic", 2, 0, List.of("rejected", "rejected"), true));
    }

    /** Ends the broker session's upstream session directly, as an upstream restart or idle timeout would. */
    private static void endUpstreamSessionBehindTheBroker(String session) throws Exception {
        String upstreamSession = new DynamoDbSessionStore(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE)
                .find(session).orElseThrow().upstreamSessionId();
        HttpResponse<Void> ended = HttpClient.newHttpClient().send(HttpRequest.newBuilder(BrokerTestResources.payments().mcpEndpoint())
                .header("Mcp-Session-Id", upstreamSession).header("MCP-Protocol-Version", VERSION).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(ended.statusCode()).isBetween(200, 299);
    }

    // ---- (b) p99 latency per tool during a burst ----------------------------------------------------------

    @Test
    void p99LatencyPerToolDuringABurstIsReadFromTheLatencyHistograms() throws Exception {
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS);
        call(token, PAYMENTS, session, null, TOOLS_LIST).then().statusCode(200);
        Map<String, String> burst = Map.of("get_balance", "{\"account\":\"alice\"}", "list_transfers", "{}");
        int callsPerTool = 60;
        telemetry.reset();

        String stdout = capturingStandardOutput(() -> {
            ExecutorService agents = Executors.newFixedThreadPool(8);
            try {
                List<Future<Response>> calls = new ArrayList<>();
                for (int i = 0; i < callsPerTool; i++) {
                    burst.forEach((tool, arguments) -> calls.add(agents.submit(() ->
                            call(token, PAYMENTS, session, null, toolCall(tool, arguments)))));
                }
                for (Future<Response> call : calls) {
                    call.get().then().statusCode(200);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                agents.shutdownNow();
            }
        });

        for (String tool : burst.keySet()) {
            // the answer: the semantic conventions' operation histogram, per tool (and server)
            List<HistogramPointData> points = telemetry.histogramPoints("mcp.server.operation.duration").stream()
                    .filter(p -> tool.equals(p.getAttributes().get(McpAttributes.GEN_AI_TOOL_NAME))
                            && PAYMENTS.equals(p.getAttributes().get(McpAttributes.SERVER)))
                    .toList();
            assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum()).as("%s calls measured", tool)
                    .isEqualTo(callsPerTool);
            double p99 = CapturedTelemetry.percentileBound(points, 99);

            // checked against the exact durations of the request spans: the p99 lies in the bucket the histogram names
            List<Double> exact = mcpRequests(telemetry.spans()).filter(s -> s.getName().equals("tools/call " + tool))
                    .map(s -> (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e9).sorted().toList();
            assertThat(exact).hasSize(callsPerTool);
            double exactP99 = exact.get((int) Math.ceil(0.99 * exact.size()) - 1);
            List<Double> bounds = points.get(0).getBoundaries();
            int bucket = bounds.indexOf(p99);
            assertThat(exactP99).as("%s p99 %.4f s within the histogram's p99 bucket ending at %s", tool, exactP99, p99)
                    .isLessThanOrEqualTo(p99 + 0.002)
                    .isGreaterThanOrEqualTo(bucket <= 0 ? 0 : bounds.get(bucket - 1) - 0.002);

            // the broker's own tool histogram agrees, and so do the EMF lines CloudWatch computes percentiles from
            List<HistogramPointData> toolPoints = telemetry.histogramPoints("mcp.broker.tool.duration").stream()
                    .filter(p -> tool.equals(p.getAttributes().get(McpAttributes.GEN_AI_TOOL_NAME))).toList();
            assertThat(toolPoints.stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(callsPerTool);
            List<Double> emf = emfValues(stdout, "ToolLatency", Map.of("Server", PAYMENTS, "Tool", tool));
            assertThat(emf).hasSize(callsPerTool);
            double emfP99 = emf.stream().sorted().toList().get((int) Math.ceil(0.99 * emf.size()) - 1) / 1000;
            assertThat(emfP99).as("EMF p99 of %s (s)", tool).isLessThanOrEqualTo(exactP99 + 0.002);
        }
    }

    // ---- (c) which tenant triggered a rate limit ----------------------------------------------------------

    @Test
    void theTenantThatHitARateLimitIsReadFromMetricsSpansAndEmfLines() throws Exception {
        String tenant = "t-burst-" + UUID.randomUUID().toString().substring(0, 8);
        String agent = "agent-burst-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerTestResources.admin().grant(agent, tenant, new ServerGrant(PAYMENTS, null));
        BrokerTestResources.admin().setTenantRate(tenant, new RateLimit(0.001, 2));
        String limited = BrokerTestResources.TOKENS.forAgent(agent).tenant(tenant).sign();
        String unlimited = BrokerTestResources.token(AGENT_A);
        String quiet = open(unlimited, PAYMENTS);
        String loud = open(limited, PAYMENTS);

        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        String stdout = capturingStandardOutput(() -> {
            for (int i = 0; i < 6; i++) {
                statuses.add(call(limited, PAYMENTS, loud, null, TOOLS_LIST).statusCode());
                call(unlimited, PAYMENTS, quiet, null, TOOLS_LIST).then().statusCode(200);
            }
        });
        long refused = statuses.stream().filter(status -> status == 429).count();
        assertThat(refused).as("the scenario hit the limit").isPositive();

        // metrics: rate-limited requests per tenant
        Map<String, Long> perTenant = new TreeMap<>();
        telemetry.counterPoints("mcp.broker.rate_limited").forEach(point ->
                perTenant.merge(point.getAttributes().get(AttributeKey.stringKey("mcp.broker.tenant")), point.getValue(), Long::sum));
        assertThat(perTenant).isEqualTo(Map.of(tenant, refused));
        // spans: the refused requests and whose they were
        Set<String> tenantsRefused = mcpRequests(telemetry.spans())
                .filter(s -> "rate_limited".equals(attribute(s, McpAttributes.REASON)))
                .map(s -> attribute(s, McpAttributes.TENANT)).collect(Collectors.toSet());
        assertThat(tenantsRefused).containsExactly(tenant);
        // EMF: what the CloudWatch dashboard's rate-limit widget reads
        assertThat(emfValues(stdout, "RateLimited", Map.of("Tenant", tenant, "Scope", "tenant"))).hasSize((int) refused);
        assertThat(emfValues(stdout, "RequestsDenied", Map.of("Reason", "rate_limited"))).hasSize((int) refused);
    }

    // ---- EMF lines on standard output --------------------------------------------------------------------

    private static String capturingStandardOutput(Runnable run) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** The values of {@code metric} in the EMF lines whose dimensions include {@code dimensions}. */
    private static List<Double> emfValues(String output, String metric, Map<String, String> dimensions) throws Exception {
        List<Double> values = new ArrayList<>();
        for (String line : output.lines().filter(l -> l.startsWith("{\"_aws\"")).toList()) {
            JsonNode parsed = JSON.readTree(line);
            if (parsed.has(metric) && dimensions.entrySet().stream().allMatch(d -> d.getValue().equals(parsed.path(d.getKey()).asText()))) {
                values.add(parsed.path(metric).asDouble());
            }
        }
        return values;
    }
}
