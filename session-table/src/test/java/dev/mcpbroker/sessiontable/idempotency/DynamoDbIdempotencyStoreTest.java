package dev.mcpbroker.sessiontable.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.contract.IdempotencyStoreContract;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.Decision;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyRecord.Status;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.IdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyStore.KeyAlreadyClaimedException;
import dev.mcpbroker.core.idempotency.IdempotencyStore.RecordChangedException;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The adapter against a real DynamoDB (DynamoDB Local or LocalStack, chosen at run time): the port's contract, and
 * what only this adapter does (its items, request counts, results too large for one item), counting requests.
 */
class DynamoDbIdempotencyStoreTest extends IdempotencyStoreContract {

    private static final String TABLE = "idempotency-test";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"sent 10 EUR\"}],\"isError\":false}";
    private static final AtomicInteger ROUND_TRIPS = new AtomicInteger();
    private static AwsEnvironment aws;
    private static DynamoDbClient counted;
    private static DynamoDbIdempotencyStore store;

    private final IdempotencyScope scope = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer",
            "key-" + UUID.randomUUID());
    private final Instant now = Instant.now();

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        counted = TestClients.dynamoDb(aws, new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        ROUND_TRIPS.incrementAndGet();
                    }
                });
        store = new DynamoDbIdempotencyStore(counted, TABLE);
    }

    @AfterAll
    static void closeClient() {
        counted.close();
    }

    @BeforeEach
    void resetCount() {
        ROUND_TRIPS.set(0);
    }

    @Override
    protected IdempotencyStore newStore() {
        return store;
    }

    private IdempotencyRecord claim() {
        return store.claim(scope, "fp-1", now, LEASE, RETENTION);
    }

    private Map<String, AttributeValue> rawItem(String sortKey) {
        return aws.dynamoDb().getItem(b -> b.tableName(TABLE).consistentRead(true).key(Map.of(
                "pk", AttributeValue.fromS("idempotency#" + scope.recordId()), "sk", AttributeValue.fromS(sortKey)))).item();
    }

    /** About {@code bytes} of JSON whose strings are random base64: gzip gets it to about three quarters. */
    private static String randomishJson(int bytes, long seed) {
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder("{\"rows\":[");
        byte[] raw = new byte[600];
        for (int row = 0; json.length() < bytes; row++) {
            random.nextBytes(raw);
            json.append(row == 0 ? "" : ",").append("{\"id\":").append(row).append(",\"blob\":\"")
                    .append(Base64.getEncoder().encodeToString(raw)).append("\",\"note\":\"r\\u00e9sum\\u00e9 \\\"q\\\"\"}");
        }
        return json.append("]}").toString();
    }

    @Test
    void aClaimIsReadBackUnchangedWithItsTtl() {
        IdempotencyRecord claim = claim();
        assertThat(ROUND_TRIPS).as("claim is one write").hasValue(1);
        assertThat(claim.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(store.find(scope)).contains(claim);

        Map<String, AttributeValue> item = rawItem("record");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(claim.expiresAt().getEpochSecond()));
        assertThat(claim.expiresAt()).isBetween(now.plus(RETENTION), now.plus(RETENTION).plusSeconds(1));
        assertThat(item.get("key").s()).isEqualTo(scope.key());
        assertThat(item).doesNotContainKeys("result", "resultGzip", "resultChunks");
    }

    @Test
    void aCompletedResultIsReplayedByFind() {
        IdempotencyRecord claim = claim();
        ROUND_TRIPS.set(0);
        IdempotencyRecord done = store.complete(claim, RESULT, now.plusMillis(200));
        assertThat(ROUND_TRIPS).as("complete is one write").hasValue(1);
        assertThat(done.status()).isEqualTo(Status.COMPLETED);
        assertThat(done.version()).isEqualTo(2);
        ROUND_TRIPS.set(0);
        assertThat(store.find(scope)).contains(done);
        assertThat(ROUND_TRIPS).as("find is one read").hasValue(1);
    }

    @Test
    void aSecondClaimFailsWithTheExistingRecordFromTheSameWrite() {
        IdempotencyRecord first = claim();
        ROUND_TRIPS.set(0);
        assertThatThrownBy(() -> store.claim(scope, "fp-other", now.plusSeconds(1), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing()).isEqualTo(first));
        assertThat(ROUND_TRIPS).as("no read after the refused write").hasValue(1);

        IdempotencyRecord done = store.complete(first, RESULT, now);
        assertThatThrownBy(() -> store.claim(scope, "fp-1", now.plusSeconds(2), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> {
                    assertThat(e.existing()).isEqualTo(done);
                    assertThat(e.existing().storedResult()).contains(RESULT);
                });
        assertThat(store.find(scope)).contains(done);
    }

    @Test
    void completeAfterMarkUnknownIsRefusedAndTheOutcomeStaysUnknown() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord unknown = store.markUnknown(claim, now.plusSeconds(31));
        assertThat(unknown.status()).isEqualTo(Status.UNKNOWN);
        assertThat(rawItem("record").get("unknownAt").n()).isEqualTo(Long.toString(now.plusSeconds(31).toEpochMilli()));

        ROUND_TRIPS.set(0);
        assertThatThrownBy(() -> store.complete(claim, RESULT, now.plusSeconds(32)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThat(ROUND_TRIPS).hasValue(1);
        assertThatThrownBy(() -> store.markUnknown(claim, now)).isInstanceOf(RecordChangedException.class);
        assertThatThrownBy(() -> store.markUnknown(unknown, now)).as("UNKNOWN is final").isInstanceOf(RecordChangedException.class);
        assertThatThrownBy(() -> store.release(claim)).isInstanceOf(RecordChangedException.class);
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void anAbandonedLeaseIsDeclaredUnknownAndTheLateHolderLoses() {
        Instant start = now.minusSeconds(60);
        IdempotencyRecord claim = store.claim(scope, "fp-1", start, LEASE, RETENTION);
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        IdempotencyGuard other = new IdempotencyGuard(store, clock, LEASE, RETENTION);

        ROUND_TRIPS.set(0);
        Decision decision = other.begin(scope, "fp-1");
        assertThat(decision).isInstanceOfSatisfying(Decision.Unknown.class,
                u -> assertThat(u.record().status()).isEqualTo(Status.UNKNOWN));
        assertThat(ROUND_TRIPS).as("refused claim + markUnknown").hasValue(2);

        IdempotencyGuard holder = new IdempotencyGuard(store, clock, LEASE, RETENTION);
        assertThat(holder.completed(claim, RESULT)).isEqualTo(IdempotencyGuard.Completion.SUPERSEDED);
        assertThat(store.find(scope).orElseThrow().status()).isEqualTo(Status.UNKNOWN);
        assertThat(other.begin(scope, "fp-1")).isInstanceOf(Decision.Unknown.class);
    }

    @Test
    void theGuardOnDynamoDbReplaysAndReleasesWithOneWriteEach() {
        IdempotencyGuard guard = new IdempotencyGuard(store, Clock.systemUTC(), LEASE, RETENTION);
        Decision first = guard.begin(scope, "fp-1");
        assertThat(ROUND_TRIPS).hasValue(1);
        IdempotencyRecord claim = ((Decision.Execute) first).claim();
        assertThat(guard.notExecuted(claim)).isTrue();
        IdempotencyRecord again = ((Decision.Execute) guard.begin(scope, "fp-1")).claim();
        assertThat(guard.completed(again, RESULT)).isEqualTo(IdempotencyGuard.Completion.STORED);
        ROUND_TRIPS.set(0);
        assertThat(guard.begin(scope, "fp-1")).isEqualTo(new Decision.Replay(RESULT));
        assertThat(ROUND_TRIPS).as("a replay is one refused write").hasValue(1);
        assertThat(guard.begin(scope, "fp-2")).isInstanceOf(Decision.Conflict.class);
    }

    @Test
    void aLargeResultRoundTripsThroughChunksWithTheirTtl() {
        String large = randomishJson(1_500_000, 42);
        IdempotencyRecord claim = claim();
        ROUND_TRIPS.set(0);
        IdempotencyRecord done = store.complete(claim, large, now);
        int writes = ROUND_TRIPS.get();
        Map<String, AttributeValue> record = rawItem("record");
        int chunks = Integer.parseInt(record.get("resultChunks").n());
        assertThat(chunks).isBetween(3, 6);
        assertThat(writes).as("one PutItem per chunk, then the completing write").isEqualTo(chunks + 1);
        assertThat(record).doesNotContainKeys("result", "resultGzip");
        for (int i = 1; i <= chunks; i++) {
            Map<String, AttributeValue> chunk = rawItem(String.format("result#%04d", i));
            assertThat(chunk.get("expiresAt").n()).isEqualTo(record.get("expiresAt").n());
            assertThat(chunk.get("chunk").b().asByteArrayUnsafe().length).isLessThanOrEqualTo(300 * 1024);
        }

        ROUND_TRIPS.set(0);
        IdempotencyRecord read = store.find(scope).orElseThrow();
        assertThat(read.result()).isEqualTo(large);
        assertThat(read).isEqualTo(done);
        // GetItem, then the chunks by Query: one page locally, more where pages stop at 1 MB
        assertThat(ROUND_TRIPS.get()).isBetween(2, 1 + chunks);
        assertThatThrownBy(() -> store.claim(scope, "fp-1", now, LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing().result()).isEqualTo(large));
    }

    @Test
    void aResultThatFitsOnceGzippedIsStoredInline() {
        String compressible = "{\"rows\":[" + "{\"status\":\"ok\",\"amount\":10},".repeat(30_000) + "{}]}";
        assertThat(compressible.length()).isGreaterThan(300 * 1024);
        IdempotencyRecord claim = claim();
        ROUND_TRIPS.set(0);
        store.complete(claim, compressible, now);
        assertThat(ROUND_TRIPS).hasValue(1);
        assertThat(rawItem("record")).containsKey("resultGzip").doesNotContainKeys("result", "resultChunks");
        assertThat(rawItem("result#0001")).isEmpty();
        assertThat(store.find(scope).orElseThrow().result()).isEqualTo(compressible);
    }

    @Test
    void missingChunksAreAStoreFaultNotAShortResult() {
        IdempotencyRecord claim = claim();
        store.complete(claim, randomishJson(1_000_000, 7), now);
        aws.dynamoDb().deleteItem(b -> b.tableName(TABLE).key(Map.of(
                "pk", AttributeValue.fromS("idempotency#" + scope.recordId()), "sk", AttributeValue.fromS("result#0002"))));
        assertThatThrownBy(() -> store.find(scope)).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void aMalformedRecordIsAStoreFault() {
        aws.dynamoDb().putItem(b -> b.tableName(TABLE).item(Map.of(
                "pk", AttributeValue.fromS("idempotency#" + scope.recordId()), "sk", AttributeValue.fromS("record"),
                "status", AttributeValue.fromS("MAYBE"))));
        assertThatThrownBy(() -> store.find(scope)).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void anUnreachableTableIsStoreUnavailableForEveryOperation() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        DynamoDbIdempotencyStore unreachable = new DynamoDbIdempotencyStore(nowhere, TABLE);
        IdempotencyRecord claim = DynamoDbIdempotencyStore.newClaim(scope, "fp", now, LEASE, RETENTION);
        assertThatThrownBy(() -> unreachable.claim(scope, "fp", now, LEASE, RETENTION)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.complete(claim, RESULT, now)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.markUnknown(claim, now)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.release(claim)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.find(scope)).isInstanceOf(StoreUnavailableException.class);
    }
}
