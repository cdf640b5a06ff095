package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The plain handlers (audit forwarder, session maintenance) read the broker's typed configuration from the same
 * environment variables, with the same defaults, as the Quarkus function does.
 */
class BrokerConfigsTest {

    @Test
    void environmentVariablesSetTheirPropertiesNestedGroupsIncluded() {
        BrokerConfig config = BrokerConfigs.fromVariables(BrokerConfig.class, Map.of(
                "BROKER_SESSION_TABLE", "stack-state",
                "BROKER_POLICY_TABLE", "stack-policy",
                "BROKER_AUDIT_STREAM_ARN", "arn:aws:kinesis:eu-west-1:111122223333:stream/audit",
                "BROKER_AWS_SDK_API_CALL_TIMEOUT", "PT3S",
                "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS", "40",
                "BROKER_AWS_KINESIS_ENDPOINT", "http://127.0.0.1:4567"));

        assertThat(config.session().table()).isEqualTo("stack-state");
        assertThat(config.policy().table()).isEqualTo("stack-policy");
        assertThat(config.audit().streamArn()).hasValue("arn:aws:kinesis:eu-west-1:111122223333:stream/audit");
        assertThat(config.aws().sdk().apiCallTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.session().capacity().defaultMaxSessions()).isEqualTo(40);
        assertThat(config.aws().kinesis().endpoint()).hasValue(URI.create("http://127.0.0.1:4567"));
    }

    @Test
    void anythingNotSetTakesTheMappingsOwnDefault() {
        BrokerConfig config = BrokerConfigs.fromVariables(BrokerConfig.class, Map.of());

        assertThat(config.session().table()).isEqualTo("mcp-broker-state");
        assertThat(config.session().warm().maxAge()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.aws().sdk().apiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.telemetry().flushTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.audit().streamArn()).isEmpty();
    }

    @Test
    void theHandlersOpenTelemetryVariablesAreTheStandardOnes() {
        HandlerTelemetryConfig otel = BrokerConfigs.fromVariables(HandlerTelemetryConfig.class, Map.of(
                "OTEL_SDK_DISABLED", "true",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://localhost:9999/v1/traces",
                "OTEL_TRACES_SAMPLER_ARG", "0.25"));

        assertThat(otel.sdk().disabled()).isTrue();
        assertThat(otel.exporter().otlp().traces().endpoint()).isEqualTo(URI.create("http://localhost:9999/v1/traces"));
        assertThat(otel.traces().sampler().arg()).isEqualTo(0.25);
        assertThat(BrokerConfigs.fromVariables(HandlerTelemetryConfig.class, Map.of()).sdk().disabled()).isFalse();
    }
}
