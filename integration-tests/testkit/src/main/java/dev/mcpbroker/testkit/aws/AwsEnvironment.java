package dev.mcpbroker.testkit.aws;

import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS services the broker uses (DynamoDB, Kinesis, Secrets Manager, STS, and S3 for the audit archive), running locally: LocalStack in a
 * container when a Docker engine is available, otherwise emulators on 127.0.0.1 that this JVM starts and stops.
 *
 * <p>Every endpoint accepts the same static test credentials; the access key id is the 12-digit account id, which
 * is how DynamoDB Local, kinesis-local and LocalStack choose the account a request belongs to.
 */
public interface AwsEnvironment extends AutoCloseable {

    /** Selects the implementation; {@code localstack} or {@code emulators}. Unset means "LocalStack if Docker runs". */
    String OVERRIDE = "BROKER_TEST_AWS";

    /** One environment per JVM, started lazily on first call and stopped by a shutdown hook. */
    static AwsEnvironment shared() {
        return AwsEnvironmentFactory.shared();
    }

    /**
     * Starts a new one: LocalStack via Testcontainers when a Docker engine is available, otherwise the emulators on
     * 127.0.0.1. Override with system property or env var {@value #OVERRIDE} = {@code localstack | emulators}.
     */
    static AwsEnvironment start() {
        return AwsEnvironmentFactory.start();
    }

    /**
     * Starts the emulators on {@code ports} whether or not Docker runs: for a local run of the broker, which wants the
     * same endpoints on every start and a start in seconds. Stop it with {@link #close()}.
     */
    static AwsEnvironment startEmulators(EmulatorPorts ports) {
        return AwsEnvironmentFactory.startEmulators(AwsEnvironmentFactory.Settings.fromSystem(), ports);
    }

    /** {@code "localstack"} or {@code "emulators"}. */
    String kind();

    Region region();

    /** Static test credentials; never real ones. */
    AwsCredentialsProvider credentials();

    /** The 12-digit account the credentials belong to. */
    String accountId();

    /**
     * Static test credentials of another account of this environment (e.g. a separate audit account): the access key
     * id is the 12-digit account id, which is how every emulator here tells accounts apart.
     */
    AwsCredentialsProvider credentials(String accountId);

    URI dynamoDbEndpoint();

    URI kinesisEndpoint();

    URI secretsManagerEndpoint();

    URI stsEndpoint();

    /**
     * The S3 endpoint (the audit account's archive), started on first use: only the audit verifier's tests need it.
     * Emulators: s3rver from npm; LocalStack: its own S3. Path-style addressing.
     */
    URI s3Endpoint();

    /**
     * A client for {@link #s3Endpoint()} (path-style, checksums only where S3 requires them); owned by this
     * environment, do not close it.
     */
    S3Client s3();

    /** A client for {@link #dynamoDbEndpoint()}; owned by this environment, do not close it. */
    DynamoDbClient dynamoDb();

    /** A client for {@link #kinesisEndpoint()}; owned by this environment, do not close it. */
    KinesisClient kinesis();

    /** A DynamoDB Streams client; the Streams API is served at {@link #dynamoDbEndpoint()}. Owned by this environment. */
    DynamoDbStreamsClient dynamoDbStreams();

    /** A client for {@link #secretsManagerEndpoint()}; owned by this environment, do not close it. */
    SecretsManagerClient secretsManager();

    /** A client for {@link #stsEndpoint()}; owned by this environment, do not close it. */
    StsClient sts();

    /**
     * Environment variables a child process (e.g. a broker JVM) needs to reach this environment: {@code AWS_REGION},
     * {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and the endpoints as
     * {@code BROKER_AWS_DYNAMODB_ENDPOINT}, {@code BROKER_AWS_KINESIS_ENDPOINT},
     * {@code BROKER_AWS_SECRETSMANAGER_ENDPOINT}, {@code BROKER_AWS_STS_ENDPOINT}.
     */
    Map<String, String> childEnvironment();

    /** Stops what this environment started; the shared one is stopped by its shutdown hook instead. */
    @Override
    void close();
}
