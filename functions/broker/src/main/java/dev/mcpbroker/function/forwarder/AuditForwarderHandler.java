package dev.mcpbroker.function.forwarder;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mcpbroker.core.audit.AuditForwarder;
import dev.mcpbroker.core.audit.OutboxRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The audit forwarder function: the state table's DynamoDB Stream in, the audit account's Kinesis stream
 * out. It ships in the broker's {@code function.zip} and runs on the managed {@code java21} runtime
 * ({@code handler: dev.mcpbroker.function.forwarder.AuditForwarderHandler::handleRequest}); it is a plain
 * handler, not a Quarkus one, so the HTTP function and this one share one binary without sharing a
 * request model. Failed records are reported as partial batch failures and offered again in order. Each
 * batch reports its delivery lag and failures as EMF metric lines on standard output, and is one span
 * ({@link HandlerTelemetry}) with its Kinesis and DynamoDB calls as children.
 */
public class AuditForwarderHandler {

    /** The stream records this function acts on (the event source filter keeps only these). */
    static final String EVENT_SORT_KEY_PREFIX = "event#";
    static final String OUTBOX_PARTITION_PREFIX = "audit#";

    /** The {@code service.name} of the forwarder's spans. */
    static final String SERVICE_NAME = "mcp-broker-audit-forwarder";

    private final AuditForwarder forwarder;
    private final HandlerTelemetry telemetry;

    /** What the Lambda runtime calls: the composition root, configured by the function's environment. */
    public AuditForwarderHandler() {
        this(ForwarderConfig.fromEnvironment(), HandlerTelemetry.fromEnvironment(System::getenv, SERVICE_NAME));
    }

    private AuditForwarderHandler(ForwarderConfig config, HandlerTelemetry telemetry) {
        this(compose(config,
                AwsSdkTracing.traced(KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                        telemetry.openTelemetry()).build(),
                AwsSdkTracing.traced(DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                        telemetry.openTelemetry()).build()), telemetry);
    }

    AuditForwarderHandler(AuditForwarder forwarder, HandlerTelemetry telemetry) {
        this.forwarder = forwarder;
        this.telemetry = telemetry;
    }

    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        return telemetry.invocation("datasource", context, () -> forward(event));
    }

    private StreamsEventResponse forward(DynamodbEvent event) {
        List<OutboxRecord> records = new ArrayList<>();
        for (DynamodbEvent.DynamodbStreamRecord streamRecord : event.getRecords()) {
            StreamRecord record = streamRecord.getDynamodb();
            Map<String, AttributeValue> keys = record.getKeys();
            String pk = keys.get("pk").getS();
            String sk = keys.get("sk").getS();
            if (!pk.startsWith(OUTBOX_PARTITION_PREFIX) || !sk.startsWith(EVENT_SORT_KEY_PREFIX) || record.getNewImage() == null) {
                continue; // heads and delivery marks also change the table; only new events are forwarded
            }
            records.add(new OutboxRecord(pk.substring(OUTBOX_PARTITION_PREFIX.length()),
                    Long.parseLong(sk.substring(EVENT_SORT_KEY_PREFIX.length())),
                    record.getNewImage().get("event").getS(), record.getSequenceNumber()));
        }
        List<StreamsEventResponse.BatchItemFailure> failures = forwarder.forward(records).stream()
                .map(position -> StreamsEventResponse.BatchItemFailure.builder().withItemIdentifier(position).build())
                .toList();
        return StreamsEventResponse.builder().withBatchItemFailures(failures).build();
    }

    /** The forwarder over the function's clients (traced by the caller). */
    static AuditForwarder compose(ForwarderConfig config, KinesisClient kinesis, DynamoDbClient dynamoDb) {
        Clock clock = Clock.systemUTC();
        return new AuditForwarder(new KinesisAuditPublisher(kinesis, config.streamArn()),
                new DynamoDbAuditOutbox(dynamoDb, config.stateTable()),
                new EmfBrokerMetrics(new ObjectMapper(), clock, line -> System.out.println(line)), clock);
    }

    /**
     * The forwarder's configuration, read once where the function starts.
     *
     * @param streamArn  {@code BROKER_AUDIT_STREAM_ARN}: the audit account's stream
     * @param stateTable {@code BROKER_SESSION_TABLE}: the table whose outbox is forwarded
     */
    record ForwarderConfig(String streamArn, String stateTable) {

        static ForwarderConfig fromEnvironment() {
            String stream = System.getenv("BROKER_AUDIT_STREAM_ARN");
            String table = System.getenv("BROKER_SESSION_TABLE");
            if (stream == null || stream.isBlank() || table == null || table.isBlank()) {
                throw new IllegalStateException("BROKER_AUDIT_STREAM_ARN and BROKER_SESSION_TABLE must be set");
            }
            return new ForwarderConfig(stream, table);
        }
    }
}
