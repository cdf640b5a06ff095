package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.lambda.DynamoDbStreamEventSource;
import dev.mcpbroker.testkit.lambda.EventFilter;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamMode;

/**
 * The audit trail's way out of the broker account, locally as in AWS: the audit account's Kinesis stream (a separate
 * account of the Kinesis emulator), and the audit forwarder function fed by the state table's stream through an event
 * source mapping with the template's settings. The forwarder writes with the broker account's credentials, naming the
 * stream by its ARN, as the cross-account forwarder role does.
 */
public final class LocalAuditTrail implements AutoCloseable {

    /** The audit account: any 12 digits other than the broker account's. */
    public static final String AUDIT_ACCOUNT = "111111111111";
    public static final String STREAM = "mcp-broker-audit";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    private final AwsEnvironment aws;
    private final String streamArn;
    private final LocalLambda forwarder;
    private final DynamoDbStreamEventSource eventSource;

    private LocalAuditTrail(AwsEnvironment aws, String streamArn, LocalLambda forwarder, DynamoDbStreamEventSource eventSource) {
        this.aws = aws;
        this.streamArn = streamArn;
        this.forwarder = forwarder;
        this.eventSource = eventSource;
    }

    /**
     * Creates the audit stream, starts the forwarder function and feeds it the state table's stream.
     *
     * @param environment the forwarder's configuration besides the stream (AWS endpoints, state table, telemetry)
     */
    public static LocalAuditTrail start(AwsEnvironment aws, TemplateFunctions.StreamFunction function, String stateTable,
                                        Path functionZip, Map<String, String> environment, Path logDir) {
        String streamArn = createStream(aws);
        Map<String, String> env = new HashMap<>(environment);
        env.put("BROKER_AUDIT_STREAM_ARN", streamArn);
        LocalLambda forwarder = LocalLambda.startInvokable("audit-forwarder", functionZip, function.handler(), env, logDir,
                function.timeout());
        try {
            String tableStream = aws.dynamoDb().describeTable(b -> b.tableName(stateTable)).table().latestStreamArn();
            if (tableStream == null) {
                throw new IllegalStateException("the state table " + stateTable + " has no stream to forward audit events from");
            }
            DynamoDbStreamEventSource.Settings mapping = new DynamoDbStreamEventSource.Settings(function.batchSize(),
                    ShardIteratorType.fromValue(function.startingPosition()), EventFilter.of(function.filterPatterns()),
                    function.maximumRetryAttempts() < 0 ? Integer.MAX_VALUE : function.maximumRetryAttempts(), POLL_INTERVAL);
            DynamoDbStreamEventSource source = DynamoDbStreamEventSource.start("audit-forwarder", aws.dynamoDbStreams(),
                    tableStream, forwarder, mapping);
            return new LocalAuditTrail(aws, streamArn, forwarder, source);
        } catch (RuntimeException e) {
            forwarder.close();
            throw e;
        }
    }

    /** On-demand, like the audit account's template; returns its ARN. */
    private static String createStream(AwsEnvironment aws) {
        try (KinesisClient kinesis = auditKinesis(aws)) {
            kinesis.createStream(b -> b.streamName(STREAM).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND)));
            kinesis.waiter().waitUntilStreamExists(b -> b.streamName(STREAM), wait -> wait
                    .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(100)))
                    .waitTimeout(Duration.ofSeconds(30)));
            return kinesis.describeStreamSummary(b -> b.streamName(STREAM)).streamDescriptionSummary().streamARN();
        }
    }

    private static KinesisClient auditKinesis(AwsEnvironment aws) {
        return KinesisClient.builder().region(aws.region()).credentialsProvider(aws.credentials(AUDIT_ACCOUNT))
                .endpointOverride(aws.kinesisEndpoint()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public String streamArn() {
        return streamArn;
    }

    /** Waits until the forwarder function is initialised. */
    public LocalAuditTrail awaitReady(Duration timeout) {
        forwarder.awaitReady(timeout);
        return this;
    }

    /**
     * What {@code scripts/audit-verify.sh} needs to read the stream as the audit account: region, the audit account's
     * credentials and the Kinesis endpoint, as the AWS SDK reads them from the environment.
     */
    public Map<String, String> verifierEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", aws.region().id());
        env.put("AWS_ACCESS_KEY_ID", aws.credentials(AUDIT_ACCOUNT).resolveCredentials().accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", aws.credentials(AUDIT_ACCOUNT).resolveCredentials().secretAccessKey());
        env.put("AWS_ENDPOINT_URL_KINESIS", aws.kinesisEndpoint().toString());
        return env;
    }

    @Override
    public void close() {
        eventSource.close();
        forwarder.close();
    }
}
