package dev.mcpbroker.function;

import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;

/**
 * AWS SDK clients, built once per function instance from {@link BrokerConfig}. The URL-connection HTTP
 * client is used because it starts fast and works in a native image. Every call is a span of the request
 * that made it ({@link AwsSdkTracing}).
 */
@ApplicationScoped
public class AwsClientProducer {

    @Produces
    @ApplicationScoped
    DynamoDbClient dynamoDb(BrokerConfig config, OpenTelemetry openTelemetry) {
        DynamoDbClientBuilder builder = AwsSdkTracing.traced(
                DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()), openTelemetry);
        config.aws().region().map(Region::of).ifPresent(builder::region);
        config.aws().dynamodb().endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Produces
    @ApplicationScoped
    SecretsManagerClient secretsManager(BrokerConfig config, OpenTelemetry openTelemetry) {
        SecretsManagerClientBuilder builder = AwsSdkTracing.traced(
                SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()), openTelemetry);
        config.aws().region().map(Region::of).ifPresent(builder::region);
        config.aws().secretsmanager().endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes DynamoDbClient client) {
        client.close();
    }

    void close(@Disposes SecretsManagerClient client) {
        client.close();
    }
}
