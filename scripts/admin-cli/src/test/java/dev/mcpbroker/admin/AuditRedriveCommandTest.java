package dev.mcpbroker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditBacklog;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * {@code admin.sh audit-redrive} against DynamoDB Local and kinesis-local (or LocalStack): events left undelivered in
 * the outbox reach the stream as the forwarder would have put them, and leave the backlog.
 */
class AuditRedriveCommandTest {

    private static final String STATE = "admin-cli-redrive-state";
    private static final AuditEventCodec CODEC = new AuditEventCodec();
    private static AwsEnvironment aws;
    private static String streamName;
    private static String streamArn;

    @BeforeAll
    static void tableAndStream() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE);
        streamName = "admin-cli-audit-" + UUID.randomUUID().toString().substring(0, 8);
        aws.kinesis().createStream(b -> b.streamName(streamName).shardCount(1));
        // The SDK's default waiter polls every 10 s; creation takes about 0.5 s here.
        aws.kinesis().waiter().waitUntilStreamExists(b -> b.streamName(streamName), wait -> wait
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50)))
                .waitTimeout(Duration.ofSeconds(30)));
        var summary = aws.kinesis().describeStreamSummary(b -> b.streamName(streamName)).streamDescriptionSummary();
        assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
        streamArn = summary.streamARN();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AdminCli cli = new AdminCli(aws.dynamoDb(), aws.secretsManager(), aws::kinesis, Map.of(), "admin-cli-redrive-policy",
                STATE, Clock.systemUTC(), new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8));
        int status = cli.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<AuditEvent> append(DynamoDbAuditOutbox outbox, String session, int count) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(outbox.append(AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(UUID.randomUUID().toString())
                    .time(Instant.now().minusSeconds(3600)).agentId("agent-a").tenantId("t1").sessionId(session)
                    .serverId("payments").method("tools/list").decision(AuditEvent.Decision.ALLOWED).reason("listed")
                    .correlationId(Integer.toString(i)).build()));
        }
        return events;
    }

    /** Every record on the stream: partition key and data, in stream order. */
    private static List<String[]> streamRecords() {
        String shard = aws.kinesis().listShards(b -> b.streamName(streamName)).shards().get(0).shardId();
        String iterator = aws.kinesis().getShardIterator(b -> b.streamName(streamName).shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<String[]> records = new ArrayList<>();
        String current = iterator;
        for (int reads = 0; reads < 5 && current != null; reads++) {
            String it = current;
            var response = aws.kinesis().getRecords(b -> b.shardIterator(it));
            for (Record r : response.records()) {
                records.add(new String[] {r.partitionKey(), r.data().asUtf8String()});
            }
            current = response.nextShardIterator();
        }
        return records;
    }

    @Test
    void undeliveredEventsReachTheStreamInChainOrderWithTheForwardersFormatAndLeaveTheBacklog() {
        DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(aws.dynamoDb(), STATE);
        String a = "s-" + UUID.randomUUID();
        String b = "s-" + UUID.randomUUID();
        List<AuditEvent> chainA = append(outbox, a, 4);
        List<AuditEvent> chainB = append(outbox, b, 2);
        outbox.markDelivered(chainA.get(0));
        DynamoDbAuditBacklog backlog = new DynamoDbAuditBacklog(aws.dynamoDb(), STATE);
        assertThat(backlog.chainsWithUndeliveredEvents()).contains(a, b);

        Result result = run("audit-redrive", "--stream-arn", streamArn, "--min-age", "PT1M");

        assertThat(result.status()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("re-drove 5 event(s) of 2 chain(s)");
        List<String[]> records = streamRecords();
        assertThat(records.stream().filter(r -> r[0].equals(a)).map(r -> r[1]).toList())
                .as("stored canonical JSON of a's undelivered events, in sequence order")
                .isEqualTo(chainA.subList(1, 4).stream().map(e -> new String(CODEC.encode(e), StandardCharsets.UTF_8)).toList());
        assertThat(records.stream().filter(r -> r[0].equals(b)).map(r -> r[1]).toList())
                .isEqualTo(chainB.stream().map(e -> new String(CODEC.encode(e), StandardCharsets.UTF_8)).toList());
        assertThat(outbox.undelivered(a, 10)).isEmpty();
        assertThat(outbox.undelivered(b, 10)).isEmpty();
        assertThat(backlog.chainsWithUndeliveredEvents()).doesNotContain(a, b);
    }

    @Test
    void withoutAStreamOrWithAnUnknownOptionNothingIsSentAndTheExitStatusIsTwo() {
        assertThat(run("audit-redrive").status()).isEqualTo(2);
        assertThat(run("audit-redrive", "--stream-arn", streamArn, "--min-age", "soon").status()).isEqualTo(2);
        Result unknown = run("audit-redrive", "--stream", streamArn);
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown option '--stream'");
    }
}
