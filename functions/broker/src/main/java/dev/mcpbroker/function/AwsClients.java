package dev.mcpbroker.function;

import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Builds every AWS SDK client a function uses, the same way: the URL-connection HTTP client (fast to start, works
 * in a native image), the configured region and endpoint override, the call and attempt timeouts of
 * {@link BrokerConfig.Aws.Sdk}, and tracing, so every call is a span of whatever the function is doing.
 */
public final class AwsClients {

    private final BrokerConfig.Aws config;
    private final OpenTelemetry openTelemetry;
    private final AwsCredentialsProvider credentials;
    private final URI everyEndpoint;

    /** Clients that take credentials from the SDK's default chain (the function's role in Lambda). */
    public AwsClients(BrokerConfig.Aws config, OpenTelemetry openTelemetry) {
        this(config, openTelemetry, null);
    }

    /** @param credentials the credentials of every client, for emulators and tools; null for the SDK's default chain */
    public AwsClients(BrokerConfig.Aws config, OpenTelemetry openTelemetry, AwsCredentialsProvider credentials) {
        this(config, openTelemetry, credentials, null);
    }

    private AwsClients(BrokerConfig.Aws config, OpenTelemetry openTelemetry, AwsCredentialsProvider credentials,
                       URI everyEndpoint) {
        this.config = Objects.requireNonNull(config);
        this.openTelemetry = Objects.requireNonNull(openTelemetry);
        this.credentials = credentials;
        this.everyEndpoint = everyEndpoint;
    }

    /**
     * Clients built exactly like these, but every one of them sending to {@code endpoint} with {@code credentials}:
     * priming exercises the SDK's whole call path against a loopback fixture, never against AWS.
     */
    public AwsClients redirectedTo(URI endpoint, AwsCredentialsProvider credentials) {
        return new AwsClients(config, openTelemetry, Objects.requireNonNull(credentials), Objects.requireNonNull(endpoint));
    }

    public DynamoDbClient dynamoDb() {
        return configured(DynamoDbClient.builder(), config.dynamodb().endpoint()).build();
    }

    public SecretsManagerClient secretsManager() {
        return configured(SecretsManagerClient.builder(), config.secretsmanager().endpoint()).build();
    }

    public KinesisClient kinesis() {
        return configured(KinesisClient.builder(), config.kinesis().endpoint()).build();
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configured(B builder,
                                                                                            Optional<URI> endpoint) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        // Each override starts from the one before: overrideConfiguration(...) replaces what it is given.
        builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                .apiCallTimeout(config.sdk().apiCallTimeout())
                .apiCallAttemptTimeout(config.sdk().apiCallAttemptTimeout())
                .build());
        AwsSdkTracing.traced(builder, openTelemetry);
        config.region().map(Region::of).ifPresent(builder::region);
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        }
        if (everyEndpoint != null) {
            builder.endpointOverride(everyEndpoint);
        } else {
            endpoint.ifPresent(builder::endpointOverride);
        }
        return builder;
    }
}
