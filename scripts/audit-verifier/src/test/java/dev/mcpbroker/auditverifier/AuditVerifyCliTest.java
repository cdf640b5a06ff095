package dev.mcpbroker.auditverifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The verifier against Kinesis of the local AWS environment (kinesis-local or LocalStack), through the real SDK. */
class AuditVerifyCliTest {

    private static final Instant T = Instant.parse("2025-06-18T09:30:00Z");
    private static final String FINGERPRINT = "297061d9ca57a166c1a9e37fad495eac8793cd7974d1cd5f1768096148afbb2b";
    private static KinesisClient kinesis;
    /** Two session ids whose partition-key hashes fall into different halves, so onto different shards of 2. */
    private static String lowSession;
    private static String highSession;

    private final AuditChain chain = new AuditChain();
    private final AuditEventCodec codec = new AuditEventCodec();

    @BeforeAll
    static void environment() throws Exception {
        kinesis = AwsEnvironment.shared().kinesis();
        BigInteger half = BigInteger.ONE.shiftLeft(127);
        while (lowSession == null || highSession == null) {
            String candidate = "s-" + UUID.randomUUID();
            BigInteger hashKey = new BigInteger(1, MessageDigest.getInstance("MD5").digest(candidate.getBytes(StandardCharsets.UTF_8)));
            if (hashKey.compareTo(half) < 0) {
                lowSession = lowSession == null ? candidate : lowSession;
            } else {
                highSession = highSession == null ? candidate : highSession;
            }
        }
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new AuditVerifyCli(kinesis, env, Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8))
                .run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result verify(String stream, String... more) {
        List<String> args = new ArrayList<>(List.of("--stream", stream, "--max-seconds", "60"));
        args.addAll(List.of(more));
        return run(Map.of(), args.toArray(String[]::new));
    }

    private static String newStream() {
        String stream = "audit-" + UUID.randomUUID();
        kinesis.createStream(b -> b.streamName(stream).shardCount(2));
        kinesis.waiter().waitUntilStreamExists(b -> b.streamName(stream), wait -> wait
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50)))
                .waitTimeout(Duration.ofSeconds(30)));
        return stream;
    }

    /** A session's chain of n events: intent, outcome, intent, outcome, ...; each outcome answers the intent before it. */
    private List<AuditEvent> session(String session, int n) {
        List<AuditEvent> events = new ArrayList<>();
        AuditEvent previous = null;
        for (int i = 1; i <= n; i++) {
            AuditEvent.Builder b = AuditEvent.builder(i % 2 == 1 ? AuditEvent.Kind.INTENT : AuditEvent.Kind.OUTCOME)
                    .eventId(session + "-" + i).time(T.plusSeconds(i)).agentId("agent-1").tenantId("t1")
                    .sessionId(session).serverId("payments").method("tools/call").tool("transfer")
                    .argumentFingerprint(FINGERPRINT).correlationId("req-" + (i + 1) / 2);
            if (i % 2 == 0) {
                b.outcomeClass(AuditEvent.OutcomeClass.OK).upstreamLatencyMillis(12L);
            }
            AuditEvent e = b.build();
            previous = previous == null ? chain.first(e) : chain.next(previous, e);
            events.add(previous);
        }
        return events;
    }

    /** Publishes like the broker: partition key = the chain key (session id); returns the shards written to. */
    private Set<String> put(String stream, List<AuditEvent> events) {
        Set<String> shards = new HashSet<>();
        for (AuditEvent e : events) {
            shards.add(kinesis.putRecord(b -> b.streamName(stream).partitionKey(e.chainKey())
                    .data(SdkBytes.fromByteArray(codec.encode(e)))).shardId());
        }
        return shards;
    }

    private static List<AuditEvent> interleave(List<AuditEvent> a, List<AuditEvent> b) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i < a.size()) {
                out.add(a.get(i));
            }
            if (i < b.size()) {
                out.add(b.get(i));
            }
        }
        return out;
    }

    @Test
    void twoInterleavedSessionsOnTwoShardsAreClean() {
        String stream = newStream();
        AuditEvent refused = chain.first(AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("refused-1").time(T)
                .decision(AuditEvent.Decision.DENIED).reason("token_expired").build());
        List<AuditEvent> events = interleave(session(lowSession, 4), session(highSession, 6));
        events.add(refused);
        Set<String> lowShards = put(stream, events.stream().filter(e -> lowSession.equals(e.sessionId())).toList());
        Set<String> highShards = put(stream, events.stream().filter(e -> highSession.equals(e.sessionId())).toList());
        put(stream, List.of(refused));
        assertThat(lowShards).hasSize(1);
        assertThat(highShards).hasSize(1).doesNotContainAnyElementsOf(lowShards);

        Result result = verify(stream);
        assertThat(result.status).as(result.out + result.err).isZero();
        assertThat(result.out).contains("2 shard(s), 11 record(s) read")
                .contains("audit chain verification: CLEAN")
                .contains("session " + lowSession + ": 4 event(s), seq 1..4, 4 ok, clean")
                .contains("session " + highSession + ": 6 event(s), seq 1..6, 6 ok, clean")
                .contains("without a session: 1 event(s), 1 ok, clean");
    }

    @Test
    void interleavedPutsOnTwoShardsAreCleanToo() {
        String stream = newStream();
        put(stream, interleave(session(lowSession, 4), session(highSession, 4)));
        Result result = verify(stream);
        assertThat(result.status).as(result.out).isZero();
        assertThat(result.out).contains("8 record(s) read").contains("CLEAN");
    }

    @Test
    void aMissingEventIsReportedAsAGap() {
        String stream = newStream();
        List<AuditEvent> gappy = session(lowSession, 6);
        gappy.remove(3); // seq 4 and
        gappy.remove(2); // seq 3, one call's intent and outcome, never arrive
        put(stream, interleave(gappy, session(highSession, 4)));
        Result result = verify(stream);
        assertThat(result.status).as(result.out).isEqualTo(1);
        assertThat(result.out).contains("PROBLEMS (1)")
                .contains("session " + lowSession + ": 4 event(s), seq 1..6, 4 ok, 1 problem(s)")
                .contains("GAP         seq 3: seq 3..4 missing (2 events)")
                .contains("session " + highSession + ": 4 event(s), seq 1..4, 4 ok, clean");
    }

    @Test
    void aReorderedPairIsReported() {
        String stream = newStream();
        List<AuditEvent> events = session(highSession, 4);
        AuditEvent third = events.remove(2);
        events.add(third); // 1, 2, 4, 3
        put(stream, interleave(session(lowSession, 2), events));
        Result result = verify(stream);
        assertThat(result.status).as(result.out).isEqualTo(1);
        assertThat(result.out).contains("PROBLEMS (1)")
                .contains("REORDERED   seq 3: arrived after seq 4")
                .contains("session " + lowSession + ": 2 event(s), seq 1..2, 2 ok, clean");
    }

    @Test
    void aTamperedEventIsReported() {
        String stream = newStream();
        List<AuditEvent> events = session(lowSession, 4);
        AuditEvent e = events.get(1);
        // Someone with write access rewrote the outcome: same hash, different content.
        events.set(1, new AuditEvent(e.eventId(), e.kind(), e.time(), e.agentId(), e.tenantId(), e.onBehalfOf(),
                e.sessionId(), e.serverId(), e.method(), e.tool(), e.argumentFingerprint(), e.decision(), e.reason(),
                AuditEvent.OutcomeClass.NOT_EXECUTED, e.upstreamLatencyMillis(), e.idempotencyKey(), e.traceId(),
                e.correlationId(), e.sessionSeq(), e.previousHash(), e.hash()));
        put(stream, interleave(events, session(highSession, 2)));
        Result result = verify(stream);
        assertThat(result.status).as(result.out).isEqualTo(1);
        assertThat(result.out).contains("PROBLEMS (1)").contains("TAMPERED    seq 2: hash does not match the content");
    }

    @Test
    void duplicatesPassUnlessStrictAndForeignRecordsAreProblems() {
        String stream = newStream();
        List<AuditEvent> events = session(lowSession, 4);
        events.add(events.get(2)); // a producer retry delivered seq 3 twice
        put(stream, events);
        Result tolerant = verify(stream);
        assertThat(tolerant.status).as(tolerant.out).isZero();
        assertThat(tolerant.out).contains("DUPLICATE   seq 3").contains("tolerated");
        assertThat(verify(stream, "--strict").status).isEqualTo(1);

        kinesis.putRecord(b -> b.streamName(stream).partitionKey(lowSession).data(SdkBytes.fromUtf8String("{\"hello\":1}")));
        Result foreign = verify(stream);
        assertThat(foreign.status).isEqualTo(1);
        assertThat(foreign.out).contains("UNDECODABLE shardId-").contains("unknown field(s) [hello]");
    }

    @Test
    void streamComesFromTheEnvironmentAndMistakesAreUsageErrors() {
        String stream = newStream();
        put(stream, session(lowSession, 2));
        assertThat(run(Map.of("BROKER_AUDIT_STREAM", stream)).status).isZero();

        Result noStream = run(Map.of());
        assertThat(noStream.status).isEqualTo(2);
        assertThat(noStream.err).contains("nothing to read: pass --stream <name>, --archive s3://<bucket>/<prefix> or set BROKER_AUDIT_STREAM")
                .contains("usage:");
        assertThat(run(Map.of(), "--stream", stream, "--max-seconds", "soon").status).isEqualTo(2);
        assertThat(run(Map.of(), "--stream").status).isEqualTo(2);
        assertThat(run(Map.of(), "--stream", stream, "--bogus").status).isEqualTo(2);
        assertThat(run(Map.of(), "--help").status).isZero();

        Result missing = verify("audit-does-not-exist-" + UUID.randomUUID());
        assertThat(missing.status).isEqualTo(1);
        assertThat(missing.err).contains("does not exist");
    }
}
