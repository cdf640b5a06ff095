package dev.mcpbroker.function.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EMF lines CloudWatch turns into the metrics the dashboard and alarms read. */
class EmfBrokerMetricsTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<String> lines = new ArrayList<>();
    private final EmfBrokerMetrics metrics = new EmfBrokerMetrics(mapper,
            Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC), lines::add, new MetricDimensions(1));

    private JsonNode only() throws Exception {
        assertThat(lines).hasSize(1);
        return mapper.readTree(lines.get(0));
    }

    @Test
    void toolCallIsCountedWithItsLatencyPerServerAndToolAndPerOutcome() throws Exception {
        metrics.toolCall("payments", "transfer", "ambiguous", Duration.ofMillis(12));
        JsonNode line = only();
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo("McpBroker");
        assertThat(directive.path("Dimensions").toString())
                .isEqualTo("[[\"Server\",\"Tool\"],[\"Server\",\"Tool\",\"Outcome\"],[\"Outcome\"],[]]");
        assertThat(directive.path("Metrics").findValuesAsText("Name")).containsExactly("ToolCalls", "ToolLatency");
        assertThat(line.path("ToolLatency").asDouble()).isEqualTo(12.0);
        assertThat(line.path("Outcome").asText()).isEqualTo("ambiguous");
        assertThat(line.path("Tool").asText()).isEqualTo("transfer");
        assertThat(line.path("_aws").path("Timestamp").asLong()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void toolNamesBeyondTheInstancesAllowanceShareTheOtherDimension() throws Exception {
        metrics.toolCall("payments", "transfer", "ok", Duration.ofMillis(1));
        lines.clear();
        metrics.toolCall("payments", "made_up_by_an_agent", "ok", Duration.ofMillis(1));
        assertThat(only().path("Tool").asText()).isEqualTo(MetricDimensions.OTHER);
    }

    @Test
    void liveSessionsCarryTheCapAndAUtilisationWithoutDimensionsForOneAlarmOverAllServers() throws Exception {
        metrics.liveSessions("payments", 8, 10);
        JsonNode line = only();
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString())
                .isEqualTo("[[\"Server\"],[]]");
        assertThat(line.path("LiveSessions").asInt()).isEqualTo(8);
        assertThat(line.path("SessionCap").asInt()).isEqualTo(10);
        assertThat(line.path("SessionCapUtilization").asDouble()).isEqualTo(0.8);
    }

    @Test
    void deniedRequestsAreCountedPerReasonAndAcrossReasons() throws Exception {
        metrics.requestDenied("token_expired");
        JsonNode line = only();
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString()).isEqualTo("[[\"Reason\"],[]]");
        assertThat(line.path("Reason").asText()).isEqualTo("token_expired");
        assertThat(line.path("RequestsDenied").asInt()).isEqualTo(1);
    }

    @Test
    void idempotencyDecisionsAreCountedPerServerAndDecision() throws Exception {
        metrics.idempotencyDecision("payments", "replay");
        JsonNode line = only();
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString())
                .isEqualTo("[[\"Server\",\"Decision\"],[\"Decision\"]]");
        assertThat(line.path("Decision").asText()).isEqualTo("replay");
        assertThat(line.path("IdempotencyDecisions").asInt()).isEqualTo(1);
    }

    @Test
    void auditDeliveryReportsEventsAndTheOldestEventsAgeAcrossTheStream() throws Exception {
        metrics.auditEventsForwarded(12, Duration.ofMillis(2500));
        JsonNode line = only();
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString()).isEqualTo("[[]]");
        assertThat(line.path("AuditEventsDelivered").asInt()).isEqualTo(12);
        assertThat(line.path("AuditDeliveryLag").asLong()).isEqualTo(2500);
        lines.clear();
        metrics.auditDeliveryFailed(3);
        assertThat(only().path("AuditDeliveryFailures").asInt()).isEqualTo(3);
    }

    @Test
    void sessionsPerTaskIsAValueNotACountOfEvents() throws Exception {
        metrics.sessionsPerTask("payments", 7);
        assertThat(only().path("SessionsPerTask").asLong()).isEqualTo(7);
    }
}
