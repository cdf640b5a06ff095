package dev.mcpbroker.function.forwarder;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.auditstream.KinesisAuditPublisher;
import dev.mcpbroker.core.audit.AuditForwarder;
import dev.mcpbroker.core.audit.OutboxRecord;
import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.BrokerComposition;
import dev.mcpbroker.function.BrokerConfig;
import dev.mcpbroker.function.BrokerConfigs;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import dev.mcpbroker.function.telemetry.LambdaResource;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** What the Lambda runtime calls: configured by the function's environment, as the broker function is. */
    public AuditForwarderHandler() {
        this(BrokerConfigs.fromEnvironment(), BrokerConfigs.mappingFromEnvironment(HandlerTelemetryConfig.class),
                LambdaResource.of(System::getenv));
    }

    private AuditForwarderHandler(BrokerConfig config, HandlerTelemetryConfig telemetry, Resource lambda) {
        this(config, HandlerTelemetry.from(telemetry, config.telemetry().flushTimeout(), lambda, SERVICE_NAME));
    }

    /** The handler over the clients {@code config} describes, traced by {@code telemetry}. */
    AuditForwarderHandler(BrokerConfig config, HandlerTelemetry telemetry) {
        this(compose(config, new AwsClients(config.aws(), telemetry.openTelemetry())), telemetry);
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

    /**
     * The forwarder over the function's clients (traced by the caller).
     *
     * @throws IllegalStateException when {@code broker.audit.stream-arn} is not set: a forwarder without its stream
     *                               must not start and pretend to deliver
     */
    static AuditForwarder compose(BrokerConfig config, AwsClients clients) {
        String stream = config.audit().streamArn().filter(arn -> !arn.isBlank()).orElseThrow(() ->
                new IllegalStateException("BROKER_AUDIT_STREAM_ARN (broker.audit.stream-arn) must be set"));
        ObjectMapper mapper = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        return new BrokerComposition(config, clients.dynamoDb(), mapper, clock)
                .metrics(new EmfBrokerMetrics(mapper, clock, line -> System.out.println(line)))
                .forwarder(new KinesisAuditPublisher(clients.kinesis(), stream));
    }
}
