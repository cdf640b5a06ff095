package dev.mcpbroker.function.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import dev.mcpbroker.testkit.otel.ReceivedSpan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The maintenance function's telemetry as deployed: each scheduled run is one span, its registry read a
 * child, all at the collector before the run returns; switched off, it exports nothing.
 */
class SessionMaintenanceTelemetryTest {

    private static final String STATE_TABLE = "maintenance-telemetry-state";
    private static final String POLICY_TABLE = "maintenance-telemetry-policy";

    private static SessionMaintenanceHandler handler(AwsEnvironment aws, HandlerTelemetry telemetry) {
        DynamoDbClient dynamoDb = AwsSdkTracing.traced(DynamoDbClient.builder().endpointOverride(aws.dynamoDbEndpoint())
                .region(aws.region()).credentialsProvider(aws.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()), telemetry.openTelemetry()).build();
        SecretsManagerClient secrets = AwsSdkTracing.traced(SecretsManagerClient.builder()
                .endpointOverride(aws.secretsManagerEndpoint()).region(aws.region()).credentialsProvider(aws.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()), telemetry.openTelemetry()).build();
        SessionMaintenanceHandler.MaintenanceConfig config = SessionMaintenanceHandler.MaintenanceConfig.from(
                Map.of("BROKER_SESSION_TABLE", STATE_TABLE, "BROKER_POLICY_TABLE", POLICY_TABLE)::get);
        return new SessionMaintenanceHandler(SessionMaintenanceHandler.compose(config, dynamoDb, secrets,
                telemetry.openTelemetry()), telemetry);
    }

    @Test
    void aRunIsOneTimerSpanOverItsRegistryReadDeliveredBeforeItReturns() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE_TABLE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY_TABLE);
        try (OtlpReceiver collector = OtlpReceiver.start()) {
            HandlerTelemetry telemetry = HandlerTelemetry.fromEnvironment(Map.of(
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.tracesEndpoint().toString(),
                    "AWS_LAMBDA_FUNCTION_NAME", "stack-session-maintenance")::get, SessionMaintenanceHandler.SERVICE_NAME);

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
            HandlerTelemetry telemetry = HandlerTelemetry.fromEnvironment(Map.of("OTEL_SDK_DISABLED", "true",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.tracesEndpoint().toString())::get,
                    SessionMaintenanceHandler.SERVICE_NAME);

            handler(aws, telemetry).handleRequest(Map.of(), null);

            assertThat(collector.traceExportCount()).isZero();
        }
    }
}
