package dev.mcpbroker.function;

import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The broker function's AWS SDK clients, built once per function instance by {@link AwsClients}. */
@ApplicationScoped
public class AwsClientProducer {

    @Produces
    @Singleton
    AwsClients awsClients(BrokerConfig config, OpenTelemetry openTelemetry) {
        return new AwsClients(config.aws(), openTelemetry);
    }

    @Produces
    @ApplicationScoped
    DynamoDbClient dynamoDb(AwsClients clients) {
        return clients.dynamoDb();
    }

    @Produces
    @ApplicationScoped
    SecretsManagerClient secretsManager(AwsClients clients) {
        return clients.secretsManager();
    }

    void close(@Disposes DynamoDbClient client) {
        client.close();
    }

    void close(@Disposes SecretsManagerClient client) {
        client.close();
    }
}
