package dev.mcpbroker.function.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.BrokerConfig;
import dev.mcpbroker.function.BrokerConfigs;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import dev.mcpbroker.function.telemetry.LambdaResource;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import dev.mcpbroker.testkit.otel.ReceivedSpan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The maintenance function's telemetry as deployed: each scheduled run is one span, its registry read a
 * child, all at the collector before the run returns; switched off, it exports nothing.
 */
class SessionMaintenanceTelemetryTest {

    private static final String STATE_TABLE = "maintenance-telemetry-state";
    private static final String POLICY_TABLE = "maintenance-telemetry-policy";

    private static SessionMaintenanceHandler handler(AwsEnvironment aws, HandlerTelemetry telemetry) {
        BrokerConfig config = BrokerConfigs.of(Map.of("broker.session.table", STATE_TABLE, "broker.policy.table", POLICY_TABLE,
                "broker.aws.region", aws.region().id(),
                "broker.aws.dynamodb.endpoint", aws.dynamoDbEndpoint().toString(),
                "broker.aws.secretsmanager.endpoint", aws.secretsManagerEndpoint().toString()));
        return new SessionMaintenanceHandler(SessionMaintenanceHandler.compose(config,
                new AwsClients(config.aws(), telemetry.openTelemetry(), aws.credentials()), telemetry.openTelemetry()),
                telemetry);
    }

    private static HandlerTelemetry telemetry(Map<String, String> otel, String functionName) {
        return HandlerTelemetry.from(BrokerConfigs.of(HandlerTelemetryConfig.class, otel), Duration.ofSeconds(1),
                LambdaResource.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", functionName)::get), SessionMaintenanceHandler.SERVICE_NAME);
    }

    @Test
    void aRunIsOneTimerSpanOverItsRegistryReadDeliveredBeforeItReturns() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE_TABLE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY_TABLE);
        try (OtlpReceiver collector = OtlpReceiver.start()) {
            HandlerTelemetry telemetry = telemetry(Map.of(
                    "otel.exporter.otlp.traces.endpoint", collector.tracesEndpoint().toString()), "stack-session-maintenance");

            handler(aws, telemetry).handleRequest(Map.of(), null);

            List<ReceivedSpan> spans = collector.spans();
            ReceivedSpan run = spans.stream().filter(s -> s.kind().equals("SPAN_KIND_SERVER")).findFirst().orElseThrow();
            assertThat(run.name()).isEqualTo("stack-session-maintenance");
            assertThat(run.attributes()).containsEntry("faas.trigger", "timer");
            assertThat(run.resource()).containsEntry("service.name", SessionMaintenanceHandler.SERVICE_NAME);
            assertThat(run.parentSpanId()).as("no Lambda segment outside Lambda: a new trace").isEmpty();
            assertThat(spans.stream().filter(s -> s.parentSpanId().equals(run.spanId())).map(ReceivedSpan::name))
                    .contains("DynamoDb.Scan");
        }
    }

    @Test
    void switchedOffByTheTemplateNothingIsExported() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE_TABLE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY_TABLE);
        try (OtlpReceiver collector = OtlpReceiver.start()) {
            HandlerTelemetry telemetry = telemetry(Map.of("otel.sdk.disabled", "true",
                    "otel.exporter.otlp.traces.endpoint", collector.tracesEndpoint().toString()), "stack-session-maintenance");

            handler(aws, telemetry).handleRequest(Map.of(), null);

            assertThat(collector.traceExportCount()).isZero();
        }
    }
}
