package dev.mcpbroker.auditverifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * The verifier reading the audit account's S3 archive as Firehose writes it (GZIP'd JSON lines, or events back to
 * back), holding the chains against their heads in the broker's state table, and reading stream and archive together.
 * S3 is s3rver from npm (or LocalStack), DynamoDB is DynamoDB Local, Kinesis is kinesis-local.
 */
class AuditArchiveVerificationTest {

    private static final AuditEventCodec CODEC = new AuditEventCodec();
    private static AwsEnvironment aws;

    @BeforeAll
    static void environment() {
        aws = AwsEnvironment.shared();
    }

    private record Result(int status, String out, String err) {
    }

    /** The verifier a minute from now, so that what the test just appended is past the in-flight window. */
    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));
        int status = new AuditVerifyCli(aws::kinesis, aws::s3, aws::dynamoDb, Map.of(), later,
                new PrintStream(out, true, StandardCharsets.UTF_8)).run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String newTable() {
        String table = "audit-verify-state-" + UUID.randomUUID();
        SessionTableSetup.ensureTable(aws.dynamoDb(), table);
        return table;
    }

    private static String newBucket() {
        String bucket = "audit-archive-" + UUID.randomUUID();
        aws.s3().createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** Appends calls as the broker does: an intent and its outcome each; {@code open} adds an intent never answered. */
    private static List<AuditEvent> calls(DynamoDbAuditOutbox outbox, String session, int calls, boolean open) {
        List<AuditEvent> events = new ArrayList<>();
        Instant start = Instant.now().minus(Duration.ofHours(1));
        int n = 0;
        for (int call = 1; call <= calls + (open ? 1 : 0); call++) {
            events.add(outbox.append(event(AuditEvent.Kind.INTENT, session, call, start.plusSeconds(++n))));
            if (call <= calls) {
                events.add(outbox.append(event(AuditEvent.Kind.OUTCOME, session, call, start.plusSeconds(++n))));
            }
        }
        return events;
    }

    private static AuditEvent event(AuditEvent.Kind kind, String session, int call, Instant time) {
        AuditEvent.Builder b = AuditEvent.builder(kind).eventId(UUID.randomUUID().toString()).time(time).agentId("agent-a")
                .tenantId("t1").sessionId(session).serverId("payments").method("tools/call").tool("transfer")
                .correlationId("req-" + call);
        if (kind == AuditEvent.Kind.OUTCOME) {
            b.outcomeClass(AuditEvent.OutcomeClass.OK).upstreamLatencyMillis(12L);
        }
        return b.build();
    }

    /** One archive object: the events' stored bytes, each followed by {@code delimiter}, GZIP'd as Firehose does. */
    private static void archive(String bucket, String key, List<AuditEvent> events, String delimiter) {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            for (AuditEvent event : events) {
                gzip.write(CODEC.encode(event));
                gzip.write(delimiter.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(zipped.toByteArray()));
    }

    private static String objectKey(int n) {
        return "audit/2030/01/01/mcp-broker-audit-archive-1-2030-01-01-00-0" + n + "-00-" + UUID.randomUUID() + ".gz";
    }

    @Test
    void archivedChainsAreCheckedForOpenIntentsAndForTailsMissingBeforeTheirHeads() {
        String table = newTable();
        String bucket = newBucket();
        DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(aws.dynamoDb(), table);
        String complete = "s-complete-" + UUID.randomUUID();
        String unanswered = "s-unanswered-" + UUID.randomUUID();
        String truncated = "s-truncated-" + UUID.randomUUID();
        List<AuditEvent> a = calls(outbox, complete, 2, false);
        List<AuditEvent> b = calls(outbox, unanswered, 1, true);
        List<AuditEvent> c = calls(outbox, truncated, 2, false);
        List<AuditEvent> first = new ArrayList<>(a);
        first.add(b.get(0));
        archive(bucket, objectKey(1), first, "\n");
        // an object from before the newline delimiter was configured: events back to back
        archive(bucket, objectKey(2), List.of(b.get(1), b.get(2), c.get(0), c.get(1)), "");
        aws.s3().putObject(r -> r.bucket(bucket).key("errors/processing-failed/x"), RequestBody.fromString("not an event"));

        Result result = run("--archive", "s3://" + bucket + "/audit/", "--heads-table", table, "--in-flight", "PT30S");

        assertThat(result.status()).as(result.out() + result.err()).isEqualTo(1);
        assertThat(result.out())
                .contains("heads " + table + ": 3 chain(s), 0 appended to in the last PT30S")
                .contains("archive s3://" + bucket + "/audit/: 2 object(s), 9 record(s) read")
                .contains("PROBLEMS (2)")
                .contains("session " + complete + ": 4 event(s), seq 1..4, 4 ok, clean")
                .contains("INTENT_WITHOUT_OUTCOME seq 3: intent of tools/call transfer, correlation req-2 (event "
                        + b.get(2).eventId() + ")")
                .contains("TRUNCATED   seq 3: events after seq 2 missing: the chain's head in the outbox is at seq 4 (2 event(s))")
                .doesNotContain("UNDECODABLE");
    }

    @Test
    void eventsReadFromBothTheStreamAndItsArchiveAreOneTrailWithoutDuplicates() {
        String table = newTable();
        String bucket = newBucket();
        DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(aws.dynamoDb(), table);
        String session = "s-" + UUID.randomUUID();
        List<AuditEvent> events = calls(outbox, session, 3, false);
        archive(bucket, objectKey(1), events.subList(0, 4), "\n");
        String stream = "audit-" + UUID.randomUUID();
        aws.kinesis().createStream(r -> r.streamName(stream).shardCount(1));
        aws.kinesis().waiter().waitUntilStreamExists(r -> r.streamName(stream), wait -> wait
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50)))
                .waitTimeout(Duration.ofSeconds(30)));
        for (AuditEvent event : events) {
            aws.kinesis().putRecord(r -> r.streamName(stream).partitionKey(session).data(SdkBytes.fromByteArray(CODEC.encode(event))));
        }

        Result result = run("--stream", stream, "--archive", "s3://" + bucket + "/audit/", "--heads-table", table,
                "--in-flight", "PT30S", "--max-seconds", "60");

        assertThat(result.status()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("CLEAN").contains("session " + session + ": 6 event(s), seq 1..6, 6 ok, clean")
                .doesNotContain("DUPLICATE");
    }

    @Test
    void anArchiveArgumentThatIsNotAnS3UriIsAUsageError() {
        Result result = run("--archive", "https://example.com/audit");
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("--archive must look like s3://<bucket>/<prefix>");
    }
}
