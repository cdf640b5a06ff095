package dev.mcpbroker.testkit.aws;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What every local environment has in common once its endpoints are known: the static identity, SDK clients
 * created on first use, and the variables for child processes. Subclasses start and stop the services.
 */
abstract class EndpointAwsEnvironment implements AwsEnvironment {

    private final String kind;
    private final Endpoints endpoints;
    private final SdkHttpClient httpClient = UrlConnectionHttpClient.builder().build();
    private final Memo<DynamoDbClient> dynamoDb;
    private final Memo<DynamoDbStreamsClient> dynamoDbStreams;
    private final Memo<KinesisClient> kinesis;
    private final Memo<SecretsManagerClient> secretsManager;
    private final Memo<StsClient> sts;
    private final Memo<S3Client> s3;
    private URI s3Endpoint;

    /** The four endpoints of an environment. */
    record Endpoints(URI dynamoDb, URI kinesis, URI secretsManager, URI sts) {
    }

    EndpointAwsEnvironment(String kind, Endpoints endpoints) {
        this.kind = kind;
        this.endpoints = endpoints;
        this.dynamoDb = new Memo<>(() -> configure(DynamoDbClient.builder(), endpoints.dynamoDb()).build());
        this.dynamoDbStreams = new Memo<>(() -> configure(DynamoDbStreamsClient.builder(), endpoints.dynamoDb()).build());
        this.kinesis = new Memo<>(() -> configure(KinesisClient.builder(), endpoints.kinesis()).build());
        this.secretsManager = new Memo<>(() -> configure(SecretsManagerClient.builder(), endpoints.secretsManager()).build());
        this.sts = new Memo<>(() -> configure(StsClient.builder(), endpoints.sts()).build());
        // Whole payloads, not aws-chunked signed chunks: plain HTTP would otherwise get the chunked form, which s3rver
        // stores undecoded.
        this.s3 = new Memo<>(() -> configure(S3Client.builder(), s3Endpoint()).forcePathStyle(true)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build());
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, URI endpoint) {
        return builder.region(region()).credentialsProvider(credentials()).endpointOverride(endpoint).httpClient(httpClient);
    }

    @Override
    public final String kind() {
        return kind;
    }

    @Override
    public final Region region() {
        return TestCredentials.REGION;
    }

    @Override
    public final AwsCredentialsProvider credentials() {
        return TestCredentials.PROVIDER;
    }

    @Override
    public final String accountId() {
        return TestCredentials.ACCOUNT_ID;
    }

    @Override
    public final AwsCredentialsProvider credentials(String accountId) {
        return TestCredentials.of(accountId);
    }

    @Override
    public final URI dynamoDbEndpoint() {
        return endpoints.dynamoDb();
    }

    @Override
    public final URI kinesisEndpoint() {
        return endpoints.kinesis();
    }

    @Override
    public final URI secretsManagerEndpoint() {
        return endpoints.secretsManager();
    }

    @Override
    public final URI stsEndpoint() {
        return endpoints.sts();
    }

    @Override
    public final synchronized URI s3Endpoint() {
        if (s3Endpoint == null) {
            s3Endpoint = startS3();
        }
        return s3Endpoint;
    }

    @Override
    public final S3Client s3() {
        return s3.get();
    }

    /** Starts S3 (or finds it running); called once, on first use. */
    protected abstract URI startS3();

    @Override
    public final DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    @Override
    public final DynamoDbStreamsClient dynamoDbStreams() {
        return dynamoDbStreams.get();
    }

    @Override
    public final KinesisClient kinesis() {
        return kinesis.get();
    }

    @Override
    public final SecretsManagerClient secretsManager() {
        return secretsManager.get();
    }

    @Override
    public final StsClient sts() {
        return sts.get();
    }

    @Override
    public final Map<String, String> childEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", region().id());
        env.put("AWS_ACCESS_KEY_ID", TestCredentials.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", TestCredentials.SECRET_ACCESS_KEY);
        env.put("BROKER_AWS_DYNAMODB_ENDPOINT", dynamoDbEndpoint().toString());
        env.put("BROKER_AWS_KINESIS_ENDPOINT", kinesisEndpoint().toString());
        env.put("BROKER_AWS_SECRETSMANAGER_ENDPOINT", secretsManagerEndpoint().toString());
        env.put("BROKER_AWS_STS_ENDPOINT", stsEndpoint().toString());
        return Collections.unmodifiableMap(env); // ordered, for readable printing
    }

    /** The shared environment outlives its users: they may close it, only its shutdown hook stops it. */
    private volatile boolean shared;

    final void markShared() {
        shared = true;
    }

    @Override
    public final void close() {
        if (!shared) {
            stop();
        }
    }

    /** Closes the clients, then stops the services. */
    final void stop() {
        try {
            dynamoDb.close();
            dynamoDbStreams.close();
            kinesis.close();
            secretsManager.close();
            sts.close();
            s3.close();
            httpClient.close();
        } finally {
            stopServices();
        }
    }

    /** Stops the services this environment started. */
    protected abstract void stopServices();

    @Override
    public String toString() {
        return kind + "[dynamodb=" + dynamoDbEndpoint() + ", kinesis=" + kinesisEndpoint()
                + ", secretsmanager=" + secretsManagerEndpoint() + ", sts=" + stsEndpoint() + "]";
    }

    /** A client created on first use, so that a caller who needs one service does not pay for four. */
    private static final class Memo<T extends AutoCloseable> {
        private final Supplier<T> factory;
        private T value;

        Memo(Supplier<T> factory) {
            this.factory = factory;
        }

        synchronized T get() {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }

        synchronized void close() {
            if (value != null) {
                try {
                    value.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not close " + value, e);
                }
                value = null;
            }
        }
    }
}
