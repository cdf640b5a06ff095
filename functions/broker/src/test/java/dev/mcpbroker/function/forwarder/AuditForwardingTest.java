package dev.mcpbroker.function.forwarder;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.mcpbroker.core.audit.AuditChainReport;
import dev.mcpbroker.core.audit.AuditChainVerifier;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.auditstream.KinesisAuditPublisher;
import dev.mcpbroker.core.audit.AuditForwarder;
import dev.mcpbroker.core.audit.OutboxRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.function.BrokerTestResources;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import dev.mcpbroker.function.telemetry.CapturedTelemetry;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.process.ToggleableProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The outbox holds audit events while the audit stream is unreachable, and after recovery the stream holds
 * exactly one intent and one outcome per executed call, in an intact chain, and the forwarder reports its
 * failures and its delivery lag as metrics, its stream calls as spans. Real DynamoDB, real Kinesis
 * (kinesis-local or LocalStack), the function's real request path.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class AuditForwardingTest {

    private final AuditEventCodec codec = new AuditEventCodec();

    @Inject
    OpenTelemetry openTelemetry;
    @Inject
    InMemorySpanExporter spanExporter;
    @Inject
    InMemoryMetricExporter metricExporter;

    private static RequestSpecification agent(String session) {
        RequestSpecification spec = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token("agent-a"));
        return session == null ? spec : spec.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }

    private static String createStream(KinesisClient kinesis) {
        String name = "audit-" + UUID.randomUUID().toString().substring(0, 8);
        kinesis.createStream(b -> b.streamName(name).shardCount(1));
        Instant deadline = Instant.now().plusSeconds(30);
        while (kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamStatus() != StreamStatus.ACTIVE) {
            assertThat(Instant.now()).as("stream becomes active").isBefore(deadline);
            Thread.onSpinWait();
        }
        return kinesis.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary().streamARN();
    }

    private List<AuditEvent> readAll(KinesisClient kinesis, String streamArn) {
        String shard = kinesis.listShards(b -> b.streamARN(streamArn)).shards().get(0).shardId();
        String iterator = kinesis.getShardIterator(b -> b.streamARN(streamArn).shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<AuditEvent> events = new ArrayList<>();
        for (int polls = 0; polls < 20 && iterator != null; polls++) {
            String current = iterator;
            var page = kinesis.getRecords(b -> b.streamARN(streamArn).shardIterator(current));
            for (Record record : page.records()) {
                events.add(codec.decode(record.data().asByteArray()));
            }
            if (page.records().isEmpty() && page.millisBehindLatest() != null && page.millisBehindLatest() == 0) {
                break;
            }
            iterator = page.nextShardIterator();
        }
        return events;
    }

    private List<OutboxRecord> backlog(DynamoDbAuditOutbox outbox, String chainKey) {
        return outbox.undelivered(chainKey, 1000).stream()
                .map(e -> new OutboxRecord(e.chainKey(), e.sessionSeq(), new String(codec.encode(e), StandardCharsets.UTF_8),
                        Long.toString(e.sessionSeq())))
                .toList();
    }

    @Test
    void eventsHeldWhileTheStreamIsDownArriveExactlyOnceAfterRecovery() {
        AwsEnvironment aws = AwsEnvironment.shared();
        String streamArn = createStream(aws.kinesis());
        DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(aws.dynamoDb(), BrokerTestResources.STATE_TABLE);
        CapturedTelemetry telemetry = new CapturedTelemetry(openTelemetry, spanExporter, metricExporter);
        telemetry.reset();
        List<String> metricLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ToggleableProxy kinesisLink = ToggleableProxy.to(aws.kinesisEndpoint());
             KinesisClient kinesis = AwsSdkTracing.traced(KinesisClient.builder().endpointOverride(kinesisLink.endpoint())
                     .region(aws.region()).credentialsProvider(aws.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder())
                     .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry())
                             .apiCallTimeout(Duration.ofSeconds(5))), openTelemetry)
                     .build()) {
            AuditForwarder forwarder = new AuditForwarder(new KinesisAuditPublisher(kinesis, streamArn), outbox,
                    new EmfBrokerMetrics(new ObjectMapper(), java.time.Clock.systemUTC(), metricLines::add), java.time.Clock.systemUTC());
            kinesisLink.cut();

            // The broker keeps serving: its events wait in the outbox.
            String session = agent(null).body("""
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                     "capabilities":{},"clientInfo":{"name":"forwarding-test","version":"1.0"}}}""")
                    .post("/mcp/payments").then().statusCode(200).extract().header("Mcp-Session-Id");
            for (int i = 0; i < 3; i++) {
                agent(session).header("Idempotency-Key", "fwd-" + UUID.randomUUID()).body(
                        "{\"jsonrpc\":\"2.0\",\"id\":\"call-" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                                + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}}}")
                        .post("/mcp/payments").then().statusCode(200);
            }
            List<OutboxRecord> held = backlog(outbox, session);
            assertThat(forwarder.forward(held)).as("every held record is reported failed").hasSize(held.size());
            assertThat(backlog(outbox, session)).hasSize(held.size());

            assertThat(metricLines).singleElement().satisfies(line -> assertThat(line)
                    .contains("\"AuditDeliveryFailures\":" + held.size()).doesNotContain("AuditEventsDelivered"));
            metricLines.clear();

            kinesisLink.restore();
            Span batch = openTelemetry.getTracer("test").spanBuilder("forward batch").startSpan();
            try (Scope ignored = batch.makeCurrent()) {
                assertThat(forwarder.forward(backlog(outbox, session))).isEmpty();
            } finally {
                batch.end();
            }
            assertThat(backlog(outbox, session)).isEmpty();
            // one line for the batch: how many were delivered, how long the oldest had waited
            assertThat(metricLines).singleElement().satisfies(line -> {
                JsonNode parsed = new ObjectMapper().readTree(line);
                assertThat(parsed.path("AuditEventsDelivered").asInt()).isEqualTo(held.size());
                assertThat(parsed.path("AuditDeliveryLag").asLong()).isPositive();
            });
            // every PutRecord is a CLIENT span of the batch that made it (the refused one of the held batch, too)
            List<SpanData> puts = telemetry.spans().stream().filter(s -> s.getName().equals("Kinesis.PutRecord")
                    && s.getParentSpanId().equals(batch.getSpanContext().getSpanId())).toList();
            assertThat(puts).hasSize(held.size()).allSatisfy(put -> {
                assertThat(put.getKind()).isEqualTo(SpanKind.CLIENT);
                assertThat(put.getAttributes().get(AttributeKey.stringKey("rpc.method"))).isEqualTo("PutRecord");
                assertThat(put.getAttributes().toString()).doesNotContain(session);
            });

            List<AuditEvent> published = readAll(aws.kinesis(), streamArn);
            Map<String, List<AuditEvent.Kind>> byCall = published.stream()
                    .filter(e -> "transfer".equals(e.tool()))
                    .collect(Collectors.groupingBy(AuditEvent::correlationId,
                            Collectors.mapping(AuditEvent::kind, Collectors.toList())));
            assertThat(byCall).hasSize(3).allSatisfy((call, kinds) ->
                    assertThat(kinds).as(call).containsExactly(AuditEvent.Kind.INTENT, AuditEvent.Kind.OUTCOME));
            AuditChainReport report = AuditChainVerifier.verify(published);
            assertThat(report.clean()).as(report.render()).isTrue();
        }
    }

    @Test
    void handlerForwardsOnlyNewEventsAndReportsFailuresByStreamPosition() {
        // A stream that takes nothing: the one event record must come back as the failed position.
        AuditForwarder recording = new AuditForwarder((key, event, after) -> {
            throw new dev.mcpbroker.core.audit.AuditPublisher.PublishFailedException("stream down", null);
        }, new DynamoDbAuditOutbox(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE));
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(List.of(
                streamRecord("audit#s-1", "head", null, "100"),
                streamRecord("audit#s-1", "event#000000000001", "{}", "101"),
                streamRecord("session#s-1", "session", "{}", "102")));
        StreamsEventResponse response = new AuditForwarderHandler(recording, HandlerTelemetry.off()).handleRequest(event, null);
        assertThat(response.getBatchItemFailures()).extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("101");
    }

    private static DynamodbEvent.DynamodbStreamRecord streamRecord(String pk, String sk, String eventJson, String sequence) {
        StreamRecord record = new StreamRecord();
        record.setKeys(Map.of("pk", new AttributeValue().withS(pk), "sk", new AttributeValue().withS(sk)));
        record.setSequenceNumber(sequence);
        if (eventJson != null) {
            record.setNewImage(Map.of("pk", new AttributeValue().withS(pk), "sk", new AttributeValue().withS(sk),
                    "event", new AttributeValue().withS(eventJson)));
        }
        DynamodbEvent.DynamodbStreamRecord streamRecord = new DynamodbEvent.DynamodbStreamRecord();
        streamRecord.setEventName("INSERT");
        streamRecord.setDynamodb(record);
        return streamRecord;
    }
}
