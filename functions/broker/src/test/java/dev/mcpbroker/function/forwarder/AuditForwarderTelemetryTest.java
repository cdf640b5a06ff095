package dev.mcpbroker.function.forwarder;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.BrokerConfig;
import dev.mcpbroker.function.BrokerConfigs;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import dev.mcpbroker.function.telemetry.LambdaResource;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import dev.mcpbroker.testkit.otel.ReceivedSpan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The forwarder function's telemetry as deployed: its own OpenTelemetry SDK exporting OTLP/HTTP to a
 * collector (a real OTLP receiver here), one span per invocation with the Kinesis and DynamoDB calls as its
 * children, delivered before the invocation returns, and joined to Lambda's X-Ray segment.
 */
class AuditForwarderTelemetryTest {

    private static final String TABLE = "forwarder-telemetry-state";
    /** What Lambda hands the runtime for an invocation with active tracing (the runtime sets it as this property). */
    private static final String XRAY_HEADER = "Root=1-6932a1f0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";

    private OtlpReceiver collector;

    @BeforeEach
    void startCollector() {
        collector = OtlpReceiver.start();
    }

    @AfterEach
    void stopCollector() {
        System.clearProperty("com.amazonaws.xray.traceHeader");
        collector.close();
    }

    @Test
    void anInvocationIsOneSpanOverItsStreamAndTableCallsDeliveredBeforeItReturnsUnderLambdasSegment() throws Exception {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        HandlerTelemetry telemetry = HandlerTelemetry.from(BrokerConfigs.of(HandlerTelemetryConfig.class, Map.of(
                        "otel.exporter.otlp.traces.endpoint", collector.tracesEndpoint().toString())), Duration.ofSeconds(1),
                LambdaResource.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "stack-audit-forwarder")::get),
                AuditForwarderHandler.SERVICE_NAME);
        String streamArn = activeStream(aws.kinesis());
        BrokerConfig config = BrokerConfigs.of(Map.of("broker.session.table", TABLE, "broker.audit.stream-arn", streamArn,
                "broker.aws.region", aws.region().id(),
                "broker.aws.dynamodb.endpoint", aws.dynamoDbEndpoint().toString(),
                "broker.aws.kinesis.endpoint", aws.kinesisEndpoint().toString()));
        AuditForwarderHandler handler = new AuditForwarderHandler(AuditForwarderHandler.compose(config,
                new AwsClients(config.aws(), telemetry.openTelemetry(), aws.credentials())), telemetry);
        String session = "s-" + UUID.randomUUID();
        AuditEvent event = new DynamoDbAuditOutbox(aws.dynamoDb(), TABLE).append(AuditEvent.builder(AuditEvent.Kind.DECISION)
                .eventId(UUID.randomUUID().toString()).time(Instant.now()).agentId("agent-1").tenantId("t1")
                .sessionId(session).serverId("payments").method("tools/list").decision(AuditEvent.Decision.ALLOWED).build());
        System.setProperty("com.amazonaws.xray.traceHeader", XRAY_HEADER);

        StreamsEventResponse response = handler.handleRequest(streamEvent(event), null);

        assertThat(response.getBatchItemFailures()).isEmpty();
        // read at once: the invocation returned only after the collector had its spans
        List<ReceivedSpan> spans = collector.spans();
        List<ReceivedSpan> invocations = spans.stream().filter(s -> s.kind().equals("SPAN_KIND_SERVER")).toList();
        assertThat(invocations).singleElement().satisfies(invocation -> {
            assertThat(invocation.name()).isEqualTo("stack-audit-forwarder");
            assertThat(invocation.attributes()).containsEntry("faas.trigger", "datasource");
            assertThat(invocation.resource()).containsEntry("service.name", AuditForwarderHandler.SERVICE_NAME)
                    .containsEntry("faas.name", "stack-audit-forwarder").containsEntry("cloud.provider", "aws");
            assertThat(invocation.traceId()).as("Lambda's trace").isEqualTo("6932a1f00123456789abcdef01234567");
            assertThat(invocation.parentSpanId()).as("Lambda's segment").isEqualTo("53995c3f42cd8ad8");
        });
        ReceivedSpan invocation = invocations.get(0);
        assertThat(spans.stream().filter(s -> s.parentSpanId().equals(invocation.spanId())).map(ReceivedSpan::name))
                .contains("Kinesis.PutRecord", "DynamoDb.UpdateItem");
        assertThat(spans).allSatisfy(span -> assertThat(span.attributes().toString()).doesNotContain(session));
    }

    private static String activeStream(KinesisClient kinesis) {
        String name = "audit-telemetry-" + UUID.randomUUID().toString().substring(0, 8);
        kinesis.createStream(b -> b.streamName(name).shardCount(1));
        Instant deadline = Instant.now().plusSeconds(30);
        while (kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamStatus() != StreamStatus.ACTIVE) {
            assertThat(Instant.now()).as("stream becomes active").isBefore(deadline);
            Thread.onSpinWait();
        }
        return kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamARN();
    }

    private static DynamodbEvent streamEvent(AuditEvent event) {
        String pk = AuditForwarderHandler.OUTBOX_PARTITION_PREFIX + event.chainKey();
        String sk = AuditForwarderHandler.EVENT_SORT_KEY_PREFIX + String.format("%012d", event.sessionSeq());
        StreamRecord record = new StreamRecord();
        record.setKeys(Map.of("pk", new AttributeValue().withS(pk), "sk", new AttributeValue().withS(sk)));
        record.setSequenceNumber("1000");
        record.setNewImage(Map.of("pk", new AttributeValue().withS(pk), "sk", new AttributeValue().withS(sk),
                "event", new AttributeValue().withS(new String(new AuditEventCodec().encode(event), StandardCharsets.UTF_8))));
        DynamodbEvent.DynamodbStreamRecord streamRecord = new DynamodbEvent.DynamodbStreamRecord();
        streamRecord.setEventName("INSERT");
        streamRecord.setDynamodb(record);
        DynamodbEvent dynamodbEvent = new DynamodbEvent();
        dynamodbEvent.setRecords(List.of(streamRecord));
        return dynamodbEvent;
    }
}
