package dev.mcpbroker.sessiontable.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.audit.AuditBacklog;
import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditChainReport;
import dev.mcpbroker.core.audit.AuditChainVerifier;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.contract.AuditOutboxContract;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
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
 * The outbox against a real DynamoDB (DynamoDB Local or LocalStack, chosen at run time): the port's contract, and what
 * only this adapter does (its items, request counts, several instances on one chain), counting requests.
 */
class DynamoDbAuditOutboxTest extends AuditOutboxContract {

    private static final String TABLE = "audit-outbox-test";
    private static final AtomicInteger ROUND_TRIPS = new AtomicInteger();
    /** Requests sent by the current thread (the synchronous client sends on the caller's thread). */
    private static final ThreadLocal<int[]> THREAD_ROUND_TRIPS = ThreadLocal.withInitial(() -> new int[1]);
    private static final AuditEventCodec CODEC = new AuditEventCodec();
    private static AwsEnvironment aws;
    private static DynamoDbClient counted;

    private final String session = "s-" + UUID.randomUUID();

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        counted = TestClients.dynamoDb(aws, new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        ROUND_TRIPS.incrementAndGet();
                        THREAD_ROUND_TRIPS.get()[0]++;
                    }
                });
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
    protected AuditOutbox newOutbox() {
        return instance();
    }

    @Override
    protected AuditBacklog backlogOf(AuditOutbox outbox) {
        return new DynamoDbAuditBacklog(counted, TABLE);
    }

    /** A new broker instance: its own memory of chain heads. */
    private static DynamoDbAuditOutbox instance() {
        return new DynamoDbAuditOutbox(counted, TABLE);
    }

    /*
     * Decisions: these tests append from many threads at once, so an intent and its outcome could take each other's
     * places; the chain mechanics under test are the same for every kind of event.
     */
    private static AuditEvent event(String sessionId, int n) {
        return AuditEvent.builder(AuditEvent.Kind.DECISION)
                .eventId(UUID.randomUUID().toString()).time(Instant.now()).agentId("agent-a").tenantId("tenant-1")
                .sessionId(sessionId).serverId("payments").method("tools/call").tool("transfer")
                .argumentFingerprint("f".repeat(64))
                .decision(AuditEvent.Decision.ALLOWED).reason("replayed")
                .correlationId("req-" + n).build();
    }

    /** Every event item of a chain as stored, in sort-key order, read without the adapter. */
    private static List<AuditEvent> stored(String chainKey) {
        List<AuditEvent> events = new ArrayList<>();
        aws.dynamoDb().queryPaginator(b -> b.tableName(TABLE).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :event)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("audit#" + chainKey),
                                ":event", AttributeValue.fromS("event#"))))
                .items().forEach(item -> events.add(CODEC.decode(item.get("event").s().getBytes(StandardCharsets.UTF_8))));
        return events;
    }

    private static Map<String, AttributeValue> rawItem(String chainKey, String sortKey) {
        return aws.dynamoDb().getItem(b -> b.tableName(TABLE).consistentRead(true).key(Map.of(
                "pk", AttributeValue.fromS("audit#" + chainKey), "sk", AttributeValue.fromS(sortKey)))).item();
    }

    private static void assertCleanChain(List<AuditEvent> events, String chainKey, long length) {
        AuditChainReport report = AuditChainVerifier.verify(events);
        assertThat(report.clean()).as(report.render()).isTrue();
        assertThat(report.chains()).singleElement().satisfies(c -> {
            assertThat(c.chainKey()).isEqualTo(chainKey);
            assertThat(c.received()).isEqualTo(length);
            assertThat(c.distinct()).isEqualTo(length);
            assertThat(c.ok()).isEqualTo(length);
            assertThat(c.firstSeq()).isEqualTo(1);
            assertThat(c.lastSeq()).isEqualTo(length);
        });
    }

    @Test
    void appendsGetSequenceNumbersOneToNInOneRoundTripEachAndAnIntactChain() {
        DynamoDbAuditOutbox outbox = instance();
        List<AuditEvent> appended = new ArrayList<>();
        for (int n = 1; n <= 20; n++) {
            appended.add(outbox.append(event(session, n)));
        }
        assertThat(ROUND_TRIPS).as("one TransactWriteItems per append while uncontended").hasValue(20);
        assertThat(appended).extracting(AuditEvent::sessionSeq).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(appended.get(0).previousHash()).isEqualTo(AuditChain.GENESIS);
        assertCleanChain(appended, session, 20);

        List<AuditEvent> stored = stored(session);
        assertThat(stored).isEqualTo(appended);
        assertCleanChain(stored, session, 20);

        Map<String, AttributeValue> head = rawItem(session, "head");
        assertThat(head.get("seq").n()).isEqualTo("20");
        assertThat(head.get("hash").s()).isEqualTo(appended.get(19).hash());
        Map<String, AttributeValue> last = rawItem(session, "event#000000000020");
        assertThat(last.get("delivered").bool()).isFalse();
        assertThat(last.get("eventId").s()).isEqualTo(appended.get(19).eventId());
        long sevenDays = Instant.now().plus(DynamoDbAuditOutbox.DEFAULT_RETENTION).getEpochSecond();
        assertThat(Long.parseLong(last.get("expiresAt").n())).isBetween(sevenDays - 60, sevenDays + 60);
        assertThat(head.get("expiresAt")).as("the head lives as long as its newest event").isEqualTo(last.get("expiresAt"));
    }

    @Test
    void anInstanceThatDidNotSeeTheLastAppendCatchesUpFromTheCancellationWithoutARead() {
        DynamoDbAuditOutbox first = instance();
        for (int n = 1; n <= 3; n++) {
            first.append(event(session, n));
        }
        DynamoDbAuditOutbox second = instance();
        ROUND_TRIPS.set(0);
        AuditEvent fourth = second.append(event(session, 4));
        assertThat(fourth.sessionSeq()).isEqualTo(4);
        assertThat(ROUND_TRIPS).as("a lost transaction returns the head; the retry wins").hasValue(2);
        ROUND_TRIPS.set(0);
        assertThat(second.append(event(session, 5)).sessionSeq()).isEqualTo(5);
        assertThat(ROUND_TRIPS).hasValue(1);
        assertCleanChain(stored(session), session, 5);
    }

    @Test
    void twoInstancesAppendingToOneSessionConcurrentlyMakeOneContiguousChain() throws Exception {
        DynamoDbAuditOutbox[] instances = {instance(), instance()};
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger mostAttempts = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<AuditEvent>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                DynamoDbAuditOutbox outbox = instances[t % 2];
                results.add(pool.submit(() -> {
                    start.await();
                    List<AuditEvent> mine = new ArrayList<>();
                    for (int n = 0; n < perThread; n++) {
                        int before = THREAD_ROUND_TRIPS.get()[0];
                        mine.add(outbox.append(event(session, n)));
                        mostAttempts.accumulateAndGet(THREAD_ROUND_TRIPS.get()[0] - before, Math::max);
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<AuditEvent> appended = new ArrayList<>();
            for (Future<List<AuditEvent>> result : results) {
                appended.addAll(result.get());
            }
            int total = threads * perThread;
            System.out.printf("audit outbox contention: %d appends, %d round trips (%.2f per append, at most %d)%n",
                    total, ROUND_TRIPS.get(), ROUND_TRIPS.get() / (double) total, mostAttempts.get());

            assertThat(appended).hasSize(total);
            assertThat(appended).extracting(AuditEvent::eventId).doesNotHaveDuplicates();
            appended.sort(Comparator.comparingLong(AuditEvent::sessionSeq));
            assertThat(appended).extracting(AuditEvent::sessionSeq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertCleanChain(appended, session, total);

            List<AuditEvent> stored = stored(session);
            assertThat(stored).isEqualTo(appended);
            assertCleanChain(stored, session, total);
            assertThat(rawItem(session, "head").get("seq").n()).isEqualTo(Integer.toString(total));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eventsWithoutASessionAreChainsOfOneStoredIndependently() {
        DynamoDbAuditOutbox outbox = instance();
        List<AuditEvent> appended = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            appended.add(outbox.append(event(null, n)));
        }
        assertThat(ROUND_TRIPS).as("one PutItem each").hasValue(3);
        AuditChainReport report = AuditChainVerifier.verify(appended);
        assertThat(report.clean()).as(report.render()).isTrue();
        assertThat(report.chains()).hasSize(3).allSatisfy(c -> assertThat(c.sessionless()).isTrue());
        for (AuditEvent e : appended) {
            assertThat(e.sessionSeq()).isEqualTo(1);
            assertThat(e.previousHash()).isEqualTo(AuditChain.GENESIS);
            assertThat(stored(e.chainKey())).containsExactly(e);
            assertThat(rawItem(e.chainKey(), "head")).as("no head for a chain of one").isEmpty();
        }
    }

    @Test
    void undeliveredListsWhatIsNotMarkedInSequenceOrder() {
        DynamoDbAuditOutbox outbox = instance();
        List<AuditEvent> appended = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            appended.add(outbox.append(event(session, n)));
        }
        assertThat(outbox.undelivered(session, 10)).isEqualTo(appended);

        outbox.markDelivered(appended.get(0));
        outbox.markDelivered(appended.get(2));
        outbox.markDelivered(appended.get(2)); // again: harmless
        assertThat(outbox.undelivered(session, 10)).containsExactly(appended.get(1), appended.get(3), appended.get(4));
        assertThat(outbox.undelivered(session, 2)).containsExactly(appended.get(1), appended.get(3));
        assertThat(rawItem(session, "event#000000000001").get("delivered").bool()).isTrue();

        // Another instance sees the same, and the chain is untouched by marking.
        assertThat(instance().undelivered(session, 10)).containsExactly(appended.get(1), appended.get(3), appended.get(4));
        assertCleanChain(stored(session), session, 5);
        assertThat(outbox.undelivered("s-" + UUID.randomUUID(), 10)).isEmpty();
    }

    @Test
    void markingAnEventTheOutboxDoesNotHoldCreatesNothing() {
        DynamoDbAuditOutbox outbox = instance();
        AuditEvent never = new AuditChain().first(event(session, 1));
        outbox.markDelivered(never);
        assertThat(rawItem(session, "event#000000000001")).isEmpty();

        AuditEvent real = outbox.append(event(session, 1));
        outbox.markDelivered(never); // same position, another event: left alone
        assertThat(rawItem(session, "event#000000000001").get("delivered").bool()).isFalse();
        assertThat(outbox.undelivered(session, 10)).containsExactly(real);
    }

    @Test
    void aLostHeadResumesTheChainAfterItsStoredEvents() {
        DynamoDbAuditOutbox first = instance();
        for (int n = 1; n <= 3; n++) {
            first.append(event(session, n));
        }
        // As if TTL had removed the head while its (expired) events still wait for deletion.
        aws.dynamoDb().deleteItem(b -> b.tableName(TABLE).key(Map.of(
                "pk", AttributeValue.fromS("audit#" + session), "sk", AttributeValue.fromS("head"))));
        AuditEvent fourth = instance().append(event(session, 4));
        assertThat(fourth.sessionSeq()).isEqualTo(4);
        assertCleanChain(stored(session), session, 4);
        assertThat(rawItem(session, "head").get("seq").n()).isEqualTo("4");
    }

    @Test
    void anUnreachableTableIsStoreUnavailable() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        DynamoDbAuditOutbox unreachable = new DynamoDbAuditOutbox(nowhere, TABLE);
        assertThatThrownBy(() -> unreachable.append(event(session, 1))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.append(event(null, 1))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.undelivered(session, 1)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.markDelivered(new AuditChain().first(event(session, 1))))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void chainHeadsNameEveryChainsLastSequenceNumberAndWhenItWasAppended() {
        DynamoDbAuditOutbox outbox = instance();
        String other = "s-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(1);
        for (int n = 1; n <= 3; n++) {
            outbox.append(event(session, n));
        }
        outbox.append(event(other, 1));

        List<DynamoDbAuditChainHeads.Head> heads = new DynamoDbAuditChainHeads(aws.dynamoDb(), TABLE,
                DynamoDbAuditOutbox.DEFAULT_RETENTION).read();

        assertThat(heads).filteredOn(h -> h.chainKey().equals(session)).singleElement().satisfies(h -> {
            assertThat(h.seq()).isEqualTo(3);
            assertThat(h.lastAppend()).isBetween(before, Instant.now().plusSeconds(2));
        });
        assertThat(heads).filteredOn(h -> h.chainKey().equals(other)).extracting(DynamoDbAuditChainHeads.Head::seq)
                .containsExactly(1L);
        assertThat(heads).noneMatch(h -> h.chainKey().startsWith(AuditEvent.NO_SESSION_PREFIX));
    }
}
