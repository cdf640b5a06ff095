package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.time.Sleeper;
import dev.mcpbroker.sessiontable.SessionTable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link AuditOutbox} on the state table. A chain lives in partition {@code audit#<chainKey>}:
 * <ul>
 *   <li>the <b>head</b>, sort key {@code head}: {@code seq} (N, the last stored event's sessionSeq), {@code hash}
 *       (S, its hash) and {@code expiresAt};</li>
 *   <li>one item per <b>event</b>, sort key {@code event#<sessionSeq, 12 digits zero-padded>}: {@code event} (S, the
 *       canonical JSON of {@link AuditEventCodec#encode}, byte for byte what the forwarder publishes),
 *       {@code delivered} (BOOL), {@code eventId} (S), {@code expiresAt} and, until it is marked delivered,
 *       {@code undeliveredChain} (S, its partition key: the key of the sparse index {@link DynamoDbAuditBacklog}
 *       reads).</li>
 * </ul>
 * An append is one TransactWriteItems: advance the head conditionally on the state the event was chained on, and put
 * the event conditionally on its slot being free. Either both happen or neither, so the chain never has a gap, a
 * repeat or a head that disagrees with its events, whichever broker instances write to it.
 *
 * <p>Each instance remembers the last head it saw per chain and chains on it without reading: one round trip per
 * append while it is the only writer, two after another instance advanced the chain (the cancelled transaction
 * returns the current head). Appends of one chain within an instance take turns (a lock per chain key stripe), so
 * its own threads do not race each other for the head, and one that had to queue first waits about one append's
 * duration so that other instances get their turn too (see {@code yieldToOtherInstances}). Events without a session
 * are chains of one: a single conditional PutItem, no head.
 *
 * <p><b>Retention.</b> Every item expires (TTL) {@link #DEFAULT_RETENTION 7 days} after it was written, delivered or
 * not. That is the window to repair a forwarder outage: DynamoDB Streams keeps change records for only 24 hours, after
 * which undelivered events must be found here. Delivered events are kept as long, for inspection and re-drives.
 *
 * <p>Capacity: an append writes two items transactionally (about 2 x (1 + event KB) write units); all of a
 * session's items share one partition key, so one session can append a few hundred events per second.
 *
 * <p>AWS exceptions stop here; every failure becomes {@link StoreUnavailableException}.
 */
public final class DynamoDbAuditOutbox implements AuditOutbox {

    static final String KIND = "audit#";
    static final AttributeValue HEAD_SORT_KEY = AttributeValue.fromS("head");
    static final String EVENT_SORT_KEY_PREFIX = "event#";

    /** Long enough to outlast any forwarder outage we would not notice and repair; see the class comment. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    /*
     * Each failed attempt means another instance appended to this chain in the moment between our last look at the
     * head and our write (or DynamoDB cancelled two overlapping transactions). Losing this many times in a row means
     * the session is appending faster than it can be serialised; the call is then refused like any store failure.
     */
    static final int MAX_ATTEMPTS = 10;

    /* Sort keys carry 12 digits; a chain this long cannot be stored, and a session this busy is an incident anyway. */
    static final long MAX_SEQ = 999_999_999_999L;

    /* Forgetting a chain only costs one extra round trip on its next append, so the memory is dropped wholesale. */
    static final int MAX_REMEMBERED_CHAINS = 10_000;

    /* Enough items evaluated per page that a chain of mostly delivered events is not read one small page at a time. */
    static final int MIN_QUERY_PAGE_ITEMS = 100;

    /* Full-jitter backoff after a cancellation that told us nothing new (conflict, throttling). */
    private static final long BACKOFF_BASE_MILLIS = 4;
    private static final long BACKOFF_CAP_MILLIS = 100;

    /* The append duration assumed before any was measured, and its cap: a queued append waits at most twice that. */
    private static final long INITIAL_TYPICAL_APPEND_MICROS = 10_000;
    private static final long MAX_TYPICAL_APPEND_MICROS = 100_000;

    private static final int LOCK_STRIPES = 256;
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    private static final Set<String> TRANSIENT = Set.of("TransactionConflict", "ThrottlingError",
            "ProvisionedThroughputExceeded", "RequestLimitExceeded");

    /** What an instance believes about a chain's head; {@code stored} false means no head item exists. */
    record Head(long seq, String hash, boolean stored) {
        static final Head ABSENT = new Head(0, AuditChain.GENESIS, false);
    }

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;
    private final Clock clock;
    private final Sleeper sleeper;
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditChain chain = new AuditChain(codec);
    private final Map<String, Head> lastSeen = new ConcurrentHashMap<>();
    private final ReentrantLock[] stripes = new ReentrantLock[LOCK_STRIPES];
    /* Racy updates are fine: it only sizes a courtesy wait. */
    private volatile long typicalAppendMicros = INITIAL_TYPICAL_APPEND_MICROS;

    public DynamoDbAuditOutbox(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, DEFAULT_RETENTION, Clock.systemUTC());
    }

    /** @param retention how long every item stays after it was written; at least one day */
    public DynamoDbAuditOutbox(DynamoDbClient dynamoDb, String tableName, Duration retention, Clock clock) {
        this(dynamoDb, tableName, retention, clock, Sleeper.SYSTEM);
    }

    /** @param sleeper how an append backs off after losing a race, and yields to other instances */
    public DynamoDbAuditOutbox(DynamoDbClient dynamoDb, String tableName, Duration retention, Clock clock, Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            // Less than the Streams window would let TTL remove events the forwarder may still need to find here.
            throw new IllegalArgumentException("audit outbox retention must be at least one day");
        }
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock(true);
        }
    }

    @Override
    public AuditEvent append(AuditEvent unchained) {
        Objects.requireNonNull(unchained, "event");
        if (unchained.chained()) {
            throw new IllegalArgumentException("event " + unchained.eventId() + " is chained already");
        }
        if (unchained.sessionId() == null) {
            return appendAlone(chain.first(unchained));
        }
        String chainKey = unchained.chainKey();
        ReentrantLock lock = stripes[Math.floorMod(chainKey.hashCode(), LOCK_STRIPES)];
        boolean queued;
        try {
            queued = !lock.tryLock(0, TimeUnit.NANOSECONDS); // unlike tryLock(), honours the queue of a fair lock
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("audit append interrupted", e);
        }
        if (queued) {
            lock.lock();
        }
        try {
            if (queued) {
                yieldToOtherInstances();
            }
            return appendToChain(chainKey, unchained);
        } finally {
            lock.unlock();
        }
    }

    private AuditEvent appendToChain(String chainKey, AuditEvent unchained) {
        Head believed = lastSeen.getOrDefault(chainKey, Head.ABSENT);
        for (int attempt = 1; ; attempt++) {
            if (believed.seq() >= MAX_SEQ) {
                throw new StoreUnavailableException("audit chain has reached its last sequence number", null);
            }
            AuditEvent chained = chain.link(unchained, believed.seq() + 1, believed.hash());
            long start = System.nanoTime();
            try {
                dynamoDb.transactWriteItems(appendRequest(chained, believed, expiresAt()));
                observe(start);
                remember(chainKey, new Head(chained.sessionSeq(), chained.hash(), true));
                return chained;
            } catch (TransactionCanceledException e) {
                observe(start);
                Head learned = learnedFrom(e, believed);
                if (attempt >= MAX_ATTEMPTS) {
                    if (learned != null) {
                        remember(chainKey, learned);
                    }
                    throw new StoreUnavailableException("audit append lost the race for its chain's head "
                            + MAX_ATTEMPTS + " times", e);
                }
                if (learned != null) {
                    // The cancellation returned the current state: retry at once, it is as fresh as a read.
                    believed = learned;
                    remember(chainKey, learned);
                } else {
                    backOff(attempt);
                }
            } catch (SdkException e) {
                throw unavailable("append", e);
            }
        }
    }

    /**
     * The head to retry on, from a cancelled append's reasons (items in request order: head, event); null when the
     * cancellation was transient and the same attempt should be repeated.
     */
    private Head learnedFrom(TransactionCanceledException e, Head believed) {
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        if (reasons.size() != 2) {
            throw new StoreUnavailableException("audit append cancelled without reasons", e);
        }
        CancellationReason head = reasons.get(0);
        CancellationReason event = reasons.get(1);
        if (CONDITION_FAILED.equals(head.code())) {
            return headFrom(head.item());
        }
        if (CONDITION_FAILED.equals(event.code())) {
            /*
             * The head's condition held but the event's slot is taken. With no head item that means TTL removed the
             * head while events past their retention still wait for deletion: continue the chain after the stored
             * event rather than fork it. With a head item it cannot happen unless the table was edited by hand.
             */
            if (believed.stored()) {
                throw new StoreUnavailableException("audit chain head is behind its stored events", e);
            }
            AuditEvent stored = eventFrom(event.item());
            return new Head(stored.sessionSeq(), stored.hash(), false);
        }
        if (reasons.stream().anyMatch(r -> TRANSIENT.contains(r.code()))) {
            return null;
        }
        throw new StoreUnavailableException("audit append cancelled: " + reasons.stream().map(CancellationReason::code).toList(), e);
    }

    private AuditEvent appendAlone(AuditEvent chained) {
        try {
            dynamoDb.putItem(aloneRequest(chained, expiresAt()));
            return chained;
        } catch (ConditionalCheckFailedException e) {
            // Only the same event appended again (its first answer lost) finds its own slot taken; eventIds are unique.
            if (e.hasItem() && !e.item().isEmpty() && eventFrom(e.item()).hash().equals(chained.hash())) {
                return chained;
            }
            throw new StoreUnavailableException("another audit event is stored under event id " + chained.eventId(), e);
        } catch (SdkException e) {
            throw unavailable("append", e);
        }
    }

    @Override
    public List<AuditEvent> undelivered(String chainKey, int limit) {
        Objects.requireNonNull(chainKey, "chainKey");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        List<AuditEvent> events = new ArrayList<>(Math.min(limit, MIN_QUERY_PAGE_ITEMS));
        try {
            // Pages are fetched lazily: iteration stops as soon as enough undelivered events were found.
            for (Map<String, AttributeValue> item : dynamoDb.queryPaginator(undeliveredRequest(chainKey, limit)).items()) {
                AuditEvent event = eventFrom(item);
                if (!event.chainKey().equals(chainKey)) {
                    throw malformed();
                }
                events.add(event);
                if (events.size() == limit) {
                    break;
                }
            }
        } catch (SdkException e) {
            throw unavailable("read", e);
        }
        return events;
    }

    @Override
    public void markDelivered(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        if (!event.chained()) {
            throw new IllegalArgumentException("event " + event.eventId() + " is not chained: it was never appended");
        }
        try {
            dynamoDb.updateItem(markDeliveredRequest(event));
        } catch (ConditionalCheckFailedException e) {
            // The outbox no longer holds this event (past retention): there is nothing left to mark.
        } catch (SdkException e) {
            throw unavailable("markDelivered", e);
        }
    }

    TransactWriteItemsRequest appendRequest(AuditEvent chained, Head believed, Instant expiresAt) {
        Map<String, AttributeValue> headValues = new HashMap<>();
        headValues.put(":next", AttributeValue.fromN(Long.toString(chained.sessionSeq())));
        headValues.put(":hash", AttributeValue.fromS(chained.hash()));
        headValues.put(":expiresAt", seconds(expiresAt));
        Update.Builder head = Update.builder()
                .tableName(tableName)
                .key(key(chained.chainKey(), HEAD_SORT_KEY))
                .updateExpression(AuditOutboxExpressions.HEAD_UPDATE)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (believed.stored()) {
            headValues.put(":expectedSeq", AttributeValue.fromN(Long.toString(believed.seq())));
            head.conditionExpression(AuditOutboxExpressions.HEAD_ADVANCE_CONDITION)
                    .expressionAttributeNames(AuditOutboxExpressions.HEAD_ADVANCE_NAMES);
        } else {
            head.conditionExpression(AuditOutboxExpressions.HEAD_CREATE_CONDITION)
                    .expressionAttributeNames(AuditOutboxExpressions.HEAD_CREATE_NAMES);
        }
        head.expressionAttributeValues(headValues);
        Put event = Put.builder()
                .tableName(tableName)
                .item(eventItem(chained, expiresAt))
                .conditionExpression(AuditOutboxExpressions.EVENT_CREATE_CONDITION)
                .expressionAttributeNames(AuditOutboxExpressions.EVENT_CREATE_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        // Order matters: learnedFrom reads the cancellation reasons by position.
        return TransactWriteItemsRequest.builder()
                /*
                 * Set here, not left to the SDK, so it is visibly one token per attempt: the SDK's own retries of this
                 * request reuse it, and DynamoDB answers a retransmission of a committed append with success instead
                 * of cancelling it on the head it has just advanced (which would append the event a second time).
                 */
                .clientRequestToken(UUID.randomUUID().toString())
                .transactItems(
                        TransactWriteItem.builder().update(head.build()).build(),
                        TransactWriteItem.builder().put(event).build())
                .build();
    }

    PutItemRequest aloneRequest(AuditEvent chained, Instant expiresAt) {
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(eventItem(chained, expiresAt))
                .conditionExpression(AuditOutboxExpressions.EVENT_CREATE_CONDITION)
                .expressionAttributeNames(AuditOutboxExpressions.EVENT_CREATE_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /*
     * No ALL_OLD here: on a failed condition nothing is decided from the item, which is either gone or holds another
     * event; either way this event is no longer in the outbox to mark.
     */
    UpdateItemRequest markDeliveredRequest(AuditEvent event) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(key(event.chainKey(), eventSortKey(event.sessionSeq())))
                .conditionExpression(AuditOutboxExpressions.MARK_DELIVERED_CONDITION)
                .updateExpression(AuditOutboxExpressions.MARK_DELIVERED_UPDATE)
                .expressionAttributeNames(AuditOutboxExpressions.MARK_DELIVERED_NAMES)
                .expressionAttributeValues(Map.of(
                        ":eventId", AttributeValue.fromS(event.eventId()),
                        ":true", AttributeValue.fromBool(true)))
                .build();
    }

    QueryRequest undeliveredRequest(String chainKey, int limit) {
        return QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression(AuditOutboxExpressions.UNDELIVERED_KEY_CONDITION)
                .filterExpression(AuditOutboxExpressions.UNDELIVERED_FILTER)
                .expressionAttributeNames(AuditOutboxExpressions.UNDELIVERED_NAMES)
                .expressionAttributeValues(Map.of(
                        ":pk", AttributeValue.fromS(KIND + chainKey),
                        ":eventPrefix", AttributeValue.fromS(EVENT_SORT_KEY_PREFIX),
                        ":false", AttributeValue.fromBool(false)))
                // A forwarder reads right after the broker wrote: an eventually consistent read could miss the event.
                .consistentRead(true)
                // Limit counts items evaluated before the filter, so it is a page size, not the result size.
                .limit(Math.max(limit, MIN_QUERY_PAGE_ITEMS))
                .build();
    }

    Map<String, AttributeValue> eventItem(AuditEvent chained, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key(chained.chainKey(), eventSortKey(chained.sessionSeq())));
        item.put(AuditOutboxExpressions.EVENT, AttributeValue.fromS(new String(codec.encode(chained), StandardCharsets.UTF_8)));
        item.put(AuditOutboxExpressions.DELIVERED, AttributeValue.fromBool(false));
        item.put(AuditOutboxExpressions.EVENT_ID, AttributeValue.fromS(chained.eventId()));
        // Indexed until markDelivered removes it: the sparse index then lists exactly the undelivered events.
        item.put(SessionTable.UNDELIVERED_ATTRIBUTE, AttributeValue.fromS(KIND + chained.chainKey()));
        item.put(SessionTable.TTL_ATTRIBUTE, seconds(expiresAt));
        return item;
    }

    static Map<String, AttributeValue> key(String chainKey, AttributeValue sortKey) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + chainKey),
                SessionTable.SORT_KEY, sortKey);
    }

    static AttributeValue eventSortKey(long seq) {
        // Zero-padded so that sort-key order, the order a Query returns, is sequence order.
        return AttributeValue.fromS(EVENT_SORT_KEY_PREFIX + String.format("%012d", seq));
    }

    /* Rounded up: retention is a minimum. */
    private Instant expiresAt() {
        Instant at = clock.instant().plus(retention);
        return at.getNano() == 0 ? at : Instant.ofEpochSecond(at.getEpochSecond() + 1);
    }

    private static AttributeValue seconds(Instant at) {
        return AttributeValue.fromN(Long.toString(at.getEpochSecond()));
    }

    private void remember(String chainKey, Head head) {
        if (lastSeen.size() >= MAX_REMEMBERED_CHAINS && !lastSeen.containsKey(chainKey)) {
            lastSeen.clear();
        }
        // Appends of a chain take turns within this instance, so this never rolls a newer head back.
        lastSeen.put(chainKey, head);
    }

    private static Head headFrom(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return Head.ABSENT;
        }
        AttributeValue seq = item.get(AuditOutboxExpressions.SEQ);
        AttributeValue hash = item.get(AuditOutboxExpressions.HASH);
        if (seq == null || seq.n() == null || hash == null || hash.s() == null || !AuditEvent.HEX_256.matcher(hash.s()).matches()) {
            // Only this class writes heads; anything else in their place is not a head to chain on.
            throw malformed();
        }
        try {
            long n = Long.parseLong(seq.n());
            if (n < 1) {
                throw malformed();
            }
            return new Head(n, hash.s(), true);
        } catch (NumberFormatException e) {
            throw malformed();
        }
    }

    private AuditEvent eventFrom(Map<String, AttributeValue> item) {
        AttributeValue json = item == null ? null : item.get(AuditOutboxExpressions.EVENT);
        if (json == null || json.s() == null) {
            throw malformed();
        }
        AuditEvent event;
        try {
            event = codec.decode(json.s().getBytes(StandardCharsets.UTF_8));
        } catch (AuditEventCodec.MalformedEventException e) {
            throw malformed();
        }
        AttributeValue sortKey = item.get(SessionTable.SORT_KEY);
        if (!event.chained() || sortKey == null || !eventSortKey(event.sessionSeq()).equals(sortKey)) {
            throw malformed();
        }
        return event;
    }

    /*
     * A thread that queued behind another append of the same chain in this instance waits about one append's duration
     * (between one and two) before its first attempt. Without it, an instance with a queue for a chain sends its next
     * append the moment the previous one succeeds, before another instance that lost to it has even learned the new
     * head, and so wins every race until its queue is empty: the other instance runs out of attempts although the
     * store is healthy. Waiting one append lets that loser retry first, so instances take turns. Never happens on
     * Lambda (one request per instance) nor to an instance's only append of a chain.
     */
    private void yieldToOtherInstances() {
        long typical = typicalAppendMicros;
        try {
            sleeper.sleep(Duration.ofNanos(1_000 * (typical + ThreadLocalRandom.current().nextLong(typical + 1))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("audit append interrupted", e);
        }
    }

    /* A moving average (weight 1/4 for the newest) of how long TransactWriteItems takes, capped. */
    private void observe(long startNanos) {
        long micros = Math.min(MAX_TYPICAL_APPEND_MICROS, (System.nanoTime() - startNanos) / 1_000);
        typicalAppendMicros = (3 * typicalAppendMicros + micros) / 4;
    }

    private void backOff(int attempt) {
        long ceiling = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt, 10));
        try {
            sleeper.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("audit append interrupted", e);
        }
    }

    private static StoreUnavailableException malformed() {
        return new StoreUnavailableException("audit outbox item is malformed", null);
    }

    private static StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("audit outbox " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
