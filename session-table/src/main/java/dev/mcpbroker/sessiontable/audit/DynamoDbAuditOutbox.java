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
 * <p>Each instance remembers the last head it saw per chain ({@link ChainHeads}, which the session store also
 * feeds with the head it reads together with the session) and chains on it without reading: one round trip per
 * append, two only when another instance advanced the chain meanwhile (the cancelled transaction returns the
 * current head). Several events of one chain may be appended in one transaction ({@link #appendAll}), and with
 * writes of another store that must happen with them or not at all ({@link #appendWith}). Appends of one chain within an instance take turns (a lock per chain key stripe), so
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

    /* Enough items evaluated per page that a chain of mostly delivered events is not read one small page at a time. */
    static final int MIN_QUERY_PAGE_ITEMS = 100;

    /* DynamoDB's limit of items in one transaction. */
    static final int MAX_TRANSACTION_ITEMS = 100;

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

    /**
     * A write appended together with events ({@link #appendWith}) found its condition false: nothing was written,
     * neither the events nor any of the writes.
     */
    public static final class TogetherRefusedException extends RuntimeException {
        private final int index;
        private final transient Map<String, AttributeValue> item;

        TogetherRefusedException(int index, Map<String, AttributeValue> item) {
            super("a write appended with audit events was refused", null, false, false);
            this.index = index;
            this.item = item == null ? Map.of() : item;
        }

        /** Which of the writes it was, by position. */
        public int index() {
            return index;
        }

        /** The item as stored when the condition failed (ALL_OLD); empty when there was none. */
        public Map<String, AttributeValue> item() {
            return item;
        }
    }

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;
    private final Clock clock;
    private final Sleeper sleeper;
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditChain chain = new AuditChain(codec);
    private final AuditOutboxRequests requests;
    private final ChainHeads heads;
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
        this(dynamoDb, tableName, retention, clock, sleeper, new ChainHeads());
    }

    /** @param heads what this instance believes about chain heads, shared with the session store that reads them */
    public DynamoDbAuditOutbox(DynamoDbClient dynamoDb, String tableName, Duration retention, Clock clock, Sleeper sleeper,
                               ChainHeads heads) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heads = Objects.requireNonNull(heads, "heads");
        this.requests = new AuditOutboxRequests(tableName, codec);
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            // Less than the Streams window would let TTL remove events the forwarder may still need to find here.
            throw new IllegalArgumentException("audit outbox retention must be at least one day");
        }
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock(true);
        }
    }

    /** The table the events live in (writes appended with them may name another). */
    public String tableName() {
        return tableName;
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
        return appendWith(List.of(unchained), List.of()).get(0);
    }

    @Override
    public List<AuditEvent> appendAll(List<AuditEvent> unchained) {
        return appendWith(unchained, List.of());
    }

    /**
     * Appends events of one chain in one transaction together with {@code together}, writes of another store (an
     * idempotency claim, say) that must happen with the events or not at all.
     *
     * @throws TogetherRefusedException  when one of {@code together} found its condition false: nothing was written
     * @throws StoreUnavailableException when nothing could be written, or it is unknown whether everything was
     */
    public List<AuditEvent> appendWith(List<AuditEvent> unchained, List<TransactWriteItem> together) {
        AuditOutbox.requireOneSession(unchained);
        if (1 + unchained.size() + together.size() > MAX_TRANSACTION_ITEMS) {
            throw new IllegalArgumentException("too many writes for one transaction");
        }
        String chainKey = unchained.get(0).chainKey();
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
            return appendToChain(chainKey, unchained, together);
        } finally {
            lock.unlock();
        }
    }

    private List<AuditEvent> appendToChain(String chainKey, List<AuditEvent> unchained, List<TransactWriteItem> together) {
        ChainHeads.Head believed = heads.believed(chainKey);
        for (int attempt = 1; ; attempt++) {
            if (believed.seq() + unchained.size() > MAX_SEQ) {
                throw new StoreUnavailableException("audit chain has reached its last sequence number", null);
            }
            List<AuditEvent> chained = linked(unchained, believed);
            long start = System.nanoTime();
            try {
                dynamoDb.transactWriteItems(requests.appendRequest(chained, believed, expiresAt(), together));
                observe(start);
                AuditEvent last = chained.get(chained.size() - 1);
                heads.remember(chainKey, new ChainHeads.Head(last.sessionSeq(), last.hash(), true));
                return chained;
            } catch (TransactionCanceledException e) {
                observe(start);
                ChainHeads.Head learned = learnedFrom(e, chainKey, believed, chained.size(), together.size());
                if (learned != null) {
                    heads.remember(chainKey, learned);
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new StoreUnavailableException("audit append lost the race for its chain's head "
                            + MAX_ATTEMPTS + " times", e);
                }
                if (learned != null) {
                    // The cancellation returned the current state: retry at once, it is as fresh as a read.
                    believed = learned;
                } else {
                    backOff(attempt);
                }
            } catch (SdkException e) {
                throw unavailable("append", e);
            }
        }
    }

    private List<AuditEvent> linked(List<AuditEvent> unchained, ChainHeads.Head head) {
        List<AuditEvent> chained = new ArrayList<>(unchained.size());
        long seq = head.seq();
        String previous = head.hash();
        for (AuditEvent event : unchained) {
            AuditEvent linked = chain.link(event, ++seq, previous);
            chained.add(linked);
            previous = linked.hash();
        }
        return chained;
    }

    /**
     * The head to retry on, from a cancelled append's reasons (by position: head, events, then the writes appended
     * with them); null when the cancellation was transient and the same attempt should be repeated.
     *
     * @throws TogetherRefusedException when a write appended with the events was refused: that decides, not the head
     */
    private ChainHeads.Head learnedFrom(TransactionCanceledException e, String chainKey, ChainHeads.Head believed, int events,
                                        int together) {
        List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
        if (reasons.size() != 1 + events + together) {
            throw new StoreUnavailableException("audit append cancelled without reasons", e);
        }
        for (int i = 0; i < together; i++) {
            CancellationReason reason = reasons.get(1 + events + i);
            if (CONDITION_FAILED.equals(reason.code())) {
                if (CONDITION_FAILED.equals(reasons.get(0).code())) {
                    heads.remember(chainKey, ChainHeads.headFrom(reasons.get(0).item()));
                }
                throw new TogetherRefusedException(i, reason.item());
            }
        }
        CancellationReason head = reasons.get(0);
        if (CONDITION_FAILED.equals(head.code())) {
            return ChainHeads.headFrom(head.item());
        }
        for (int i = 1; i <= events; i++) {
            CancellationReason event = reasons.get(i);
            if (CONDITION_FAILED.equals(event.code())) {
                /*
                 * The head's condition held but an event's slot is taken. With no head item that means TTL removed
                 * the head while events past their retention still wait for deletion: continue the chain after the
                 * stored event rather than fork it. With a head item it cannot happen unless the table was edited
                 * by hand.
                 */
                if (believed.stored()) {
                    throw new StoreUnavailableException("audit chain head is behind its stored events", e);
                }
                AuditEvent stored = eventFrom(event.item());
                return new ChainHeads.Head(stored.sessionSeq(), stored.hash(), false);
            }
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

    TransactWriteItemsRequest appendRequest(AuditEvent chained, ChainHeads.Head believed, Instant expiresAt) {
        return requests.appendRequest(List.of(chained), believed, expiresAt, List.of());
    }

    PutItemRequest aloneRequest(AuditEvent chained, Instant expiresAt) {
        return requests.aloneRequest(chained, expiresAt);
    }

    UpdateItemRequest markDeliveredRequest(AuditEvent event) {
        return requests.markDeliveredRequest(event);
    }

    QueryRequest undeliveredRequest(String chainKey, int limit) {
        return requests.undeliveredRequest(chainKey, limit);
    }

    Map<String, AttributeValue> eventItem(AuditEvent chained, Instant expiresAt) {
        return requests.eventItem(chained, expiresAt);
    }

    /* Rounded up: retention is a minimum. */
    private Instant expiresAt() {
        Instant at = clock.instant().plus(retention);
        return at.getNano() == 0 ? at : Instant.ofEpochSecond(at.getEpochSecond() + 1);
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
        if (!event.chained() || sortKey == null || !AuditOutboxRequests.eventSortKey(event.sessionSeq()).equals(sortKey)) {
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

    static StoreUnavailableException malformed() {
        return new StoreUnavailableException("audit outbox item is malformed", null);
    }

    private static StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("audit outbox " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
