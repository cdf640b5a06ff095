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
import static dev.mcpbroker.function.telemetry.CapturedTelemetry.mcpRequests;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.function.telemetry.CapturedTelemetry;
import dev.mcpbroker.function.telemetry.McpAttributes;
import dev.mcpbroker.function.telemetry.McpRequest;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The function's logs as CloudWatch Logs receives them: JSON lines, one per MCP request on the
 * {@value McpRequest#LOGGER} logger with its trace and span ids, latency and outcome, and nothing an agent
 * sent as data, no token, no upstream secret and no session id, in the logs or in the EMF metric lines.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class RequestLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** What the function logged since {@code offset} of its log file. */
    private static String loggedSince(long offset) throws IOException {
        try (RandomAccessFile log = new RandomAccessFile(BrokerTestResources.LOG_FILE.toFile(), "r")) {
            byte[] tail = new byte[(int) (log.length() - offset)];
            log.seek(offset);
            log.readFully(tail);
            return new String(tail, StandardCharsets.UTF_8);
        }
    }

    private static List<JsonNode> requestLines(String logged) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logged.lines().toList()) {
            JsonNode parsed = JSON.readTree(line); // every line is one JSON object
            if (McpRequest.LOGGER.equals(parsed.path("loggerName").asText())) {
                lines.add(parsed);
            }
        }
        return lines;
    }

    @Test
    void everyMcpRequestIsOneJsonLineWithItsTraceAndSpanIdsOutcomeAndLatency() throws Exception {
        long offset = Files.size(BrokerTestResources.LOG_FILE);
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, PAYMENTS);
        call(token, PAYMENTS, session, null, toolCall("get_balance", "{\"account\":\"alice\"}")).then().statusCode(200);
        call(token, PAYMENTS, session, null, toolCall("transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}"))
                .then().statusCode(200); // refused: no idempotency key
        as("not-a-token").body(INITIALIZE).post("/mcp/" + PAYMENTS).then().statusCode(401);

        List<SpanData> requests = mcpRequests(telemetry.spans()).toList();
        List<JsonNode> lines = requestLines(loggedSince(offset));
        assertThat(lines).hasSameSizeAs(requests).hasSizeGreaterThanOrEqualTo(4);
        for (SpanData request : requests) {
            List<JsonNode> matching = lines.stream()
                    .filter(line -> request.getSpanId().equals(line.path("mdc").path("spanId").asText())).toList();
            assertThat(matching).as("log lines of %s", request.getName()).hasSize(1);
            JsonNode mdc = matching.get(0).path("mdc");
            assertThat(mdc.path("traceId").asText()).isEqualTo(request.getTraceId());
            assertThat(mdc.path("server").asText()).isEqualTo(PAYMENTS);
            assertThat(mdc.path("outcome").asText()).isEqualTo(attribute(request, McpAttributes.OUTCOME));
            assertThat(mdc.path("reason").asText(null)).isEqualTo(attribute(request, McpAttributes.REASON));
            assertThat(mdc.path("tool").asText(null)).isEqualTo(attribute(request, McpAttributes.GEN_AI_TOOL_NAME));
            long latency = Long.parseLong(mdc.path("latencyMs").asText());
            assertThat(latency).isBetween(0L, (request.getEndEpochNanos() - request.getStartEpochNanos()) / 1_000_000 + 1);
            assertThat(matching.get(0).path("level").asText()).isEqualTo("INFO");
        }
        assertThat(lines).extracting(line -> line.path("mdc").path("method").asText() + " " + line.path("mdc").path("outcome").asText()
                + " " + line.path("mdc").path("httpStatus").asText())
                .contains("initialize ok 200", "tools/call ok 200", "tools/call deterministic 200", "POST deterministic 401");
        assertThat(lines).anySatisfy(line -> assertThat(line.path("mdc").path("session").asText()).isEqualTo(SessionIds.hash(session)));
    }

    @Test
    void aRunWithAKnownSecretLeavesNoSecretTokenArgumentOrSessionIdInLogsOrMetricLines() throws Exception {
        long offset = Files.size(BrokerTestResources.LOG_FILE);
        String token = BrokerTestResources.token(AGENT_A);
        String expired = BrokerTestResources.TOKENS.forAgent(AGENT_A).tenant(BrokerTestResources.TENANT)
                .expiresAt(java.time.Instant.now().minusSeconds(600)).sign();
        String argument = "argument-marker-" + UUID.randomUUID();
        List<String> sessions = new ArrayList<>();
        String stdout = capturingStandardOutput(() -> {
            String ledger = open(token, LEDGER);
            sessions.add(ledger);
            // the upstream echoes the credential the broker attached (the known secret); the broker redacts it
            call(token, LEDGER, ledger, null, toolCall("echo_credentials", "{}")).then().statusCode(200);
            call(token, LEDGER, ledger, null, toolCall("get_balance", "{\"account\":\"" + argument + "\"}")).then().statusCode(200);
            String payments = open(token, PAYMENTS);
            sessions.add(payments);
            call(token, PAYMENTS, payments, "log-" + UUID.randomUUID(), toolCall("transfer",
                    "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1,\"memo\":\"" + argument + "\"}")).then().statusCode(200);
            as(expired).body(INITIALIZE).post("/mcp/" + PAYMENTS).then().statusCode(401);
            as(token).header("Mcp-Session-Id", payments).header("MCP-Protocol-Version", VERSION).delete("/mcp/" + PAYMENTS)
                    .then().statusCode(204);
        });
        String logged = loggedSince(offset);
        String secret = AwsEnvironment.shared().secretsManager()
                .getSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID)).secretString();

        // the run was logged and measured ...
        assertThat(requestLines(logged)).hasSizeGreaterThanOrEqualTo(7);
        assertThat(stdout.lines().filter(line -> line.startsWith("{\"_aws\""))).isNotEmpty();
        // ... and none of it shows a secret, a token, an argument or a session id
        List<String> forbidden = new ArrayList<>(List.of(secret, token, expired, argument));
        forbidden.addAll(sessions);
        assertThat(forbidden).allSatisfy(value -> {
            assertThat(logged).as("the function's log").doesNotContain(value);
            assertThat(stdout).as("standard output (EMF lines)").doesNotContain(value);
        });
    }

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
}
