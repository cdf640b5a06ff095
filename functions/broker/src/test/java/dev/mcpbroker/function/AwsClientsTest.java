package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/** Every AWS SDK client a function builds is bounded by the configured call and attempt timeouts, and traced. */
class AwsClientsTest {

    @Test
    void everyClientGetsTheConfiguredCallAndAttemptTimeoutsAndTheTracingInterceptor() {
        BrokerConfig config = BrokerConfigs.of(Map.of("broker.aws.region", "eu-west-1",
                "broker.aws.sdk.api-call-timeout", "PT3S", "broker.aws.sdk.api-call-attempt-timeout", "PT0.7S"));
        AwsClients clients = new AwsClients(config.aws(), OpenTelemetry.noop());

        for (SdkClient client : List.of(clients.dynamoDb(), clients.secretsManager(), clients.kinesis())) {
            ClientOverrideConfiguration override = client.serviceClientConfiguration().overrideConfiguration();
            assertThat(override.apiCallTimeout()).as(client.serviceName()).isEqualTo(Optional.of(Duration.ofSeconds(3)));
            assertThat(override.apiCallAttemptTimeout()).as(client.serviceName()).isEqualTo(Optional.of(Duration.ofMillis(700)));
            assertThat(override.executionInterceptors()).as(client.serviceName()).isNotEmpty();
            client.close();
        }
    }
}
