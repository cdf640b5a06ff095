package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import dev.mcpbroker.testkit.otel.ReceivedSpan;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged broker function, under AWS's runtime interface client, exports to a collector the way it does
 * in Lambda next to the ADOT collector layer: OTLP/HTTP to the configured endpoint (a real OTLP receiver
 * here), every invocation's spans and metrics delivered before its answer (the batch schedule is an hour, so
 * nothing else would send them), each request under the X-Ray segment Lambda handed the invocation unless the
 * agent sent its own traceparent.
 */
class TelemetryExportTest {

    private static LocalBrokerStack stack;
    private static OtlpReceiver collector;
    private static LocalLambda broker;

    @BeforeAll
    static void brokerExportingToACollector() {
        stack = SharedStack.get();
        collector = OtlpReceiver.start();
        broker = stack.addBroker(Map.of(
                "QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint().toString(),
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "1h",
                "QUARKUS_OTEL_METRIC_EXPORT_INTERVAL", "1h"));
    }

    @AfterAll
    static void stop() {
        broker.close();
        collector.close();
    }

    @BeforeEach
    void forgetEarlierExports() {
        collector.clear();
    }

    private static URI payments() {
        return broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }

    private static ReceivedSpan mcpRequest(List<ReceivedSpan> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name) && s.kind().equals("SPAN_KIND_SERVER"))
                .findFirst().orElseThrow(() -> new AssertionError("no MCP span " + name + " among "
                        + spans.stream().map(ReceivedSpan::name).toList()));
    }

    private static ReceivedSpan parentOf(ReceivedSpan span, List<ReceivedSpan> spans) {
        return spans.stream().filter(s -> s.spanId().equals(span.parentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("the parent of " + span.name() + " was not exported"));
    }

    @Test
    void anInvocationsSpansAndMetricsReachTheCollectorBeforeItsAnswerUnderLambdasSegment() {
        String session = RawMcp.initialize(stack, payments());
        collector.clear();
        int invocations = broker.gateway().traceHeaders().size();

        RawMcp.Reply reply = RawMcp.post(stack, payments(), session, RawMcp.toolCall(2, "get_balance", "{\"account\":\"alice\"}"));

        assertThat(reply.status()).isEqualTo(200);
        String xray = broker.gateway().traceHeaders().get(invocations);
        String root = xray.replaceAll(".*Root=1-([0-9a-f]{8})-([0-9a-f]{24}).*", "$1$2");
        String segment = xray.replaceAll(".*Parent=([0-9a-f]{16}).*", "$1");
        // read at once: the answer left only after the collector acknowledged the invocation's telemetry
        List<ReceivedSpan> spans = collector.spans();
        ReceivedSpan request = mcpRequest(spans, "tools/call get_balance");
        ReceivedSpan http = parentOf(request, spans);
        assertThat(http.kind()).isEqualTo("SPAN_KIND_SERVER");
        assertThat(http.parentSpanId()).as("the HTTP server span's parent is Lambda's segment").isEqualTo(segment);
        assertThat(List.of(http, request)).allSatisfy(span -> assertThat(span.traceId()).isEqualTo(root));
        assertThat(spans.stream().filter(s -> s.parentSpanId().equals(request.spanId())).map(ReceivedSpan::name))
                .contains("DynamoDb.BatchGetItem", "tools/call get_balance");
        assertThat(request.resource()).containsEntry("service.name", "mcp-broker")
                .containsEntry("faas.name", broker.name()).containsEntry("cloud.provider", "aws");
        assertThat(collector.metricNames()).contains("mcp.server.operation.duration");
    }

    @Test
    void anAgentsTraceparentOutranksLambdasSegment() {
        String session = RawMcp.initialize(stack, payments());
        String agentTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String agentSpan = "00f067aa0ba902b7";

        RawMcp.Reply reply = RawMcp.post(payments(), stack.devAuthorization().get("Authorization"), session,
                RawMcp.toolCall(3, "get_balance", "{\"account\":\"bob\"}"),
                Map.of("traceparent", "00-" + agentTrace + "-" + agentSpan + "-01"));

        assertThat(reply.status()).isEqualTo(200);
        List<ReceivedSpan> spans = collector.spans();
        ReceivedSpan request = mcpRequest(spans, "tools/call get_balance");
        assertThat(request.traceId()).isEqualTo(agentTrace);
        assertThat(parentOf(request, spans).parentSpanId()).isEqualTo(agentSpan);
    }
}
