package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * {@link RateLimiter} on the state table, by the generic cell rate algorithm. A bucket is one item,
 * {@code ratelimit#<key>} / {@code bucket}, holding {@code tat} (theoretical arrival time, epoch micros),
 * {@code version} and {@code expiresAt}. A request is admitted when {@code tat - now <= (burst - 1) *
 * interval}; admitting moves tat to {@code max(tat, now) + interval}. So over any span no more than
 * {@code burst + span * rate} requests are admitted, across all instances, because every admission is a
 * write conditioned on the exact state it was computed from.
 *
 * <p>Each instance remembers the last state it saw per key and writes against it without reading first:
 * one round trip per admission while it is the only writer, two after another instance moved the bucket
 * (the failed write returns the current item). A denial computed from the remembered state needs no round
 * trip at all: tat only ever grows, so the real bucket is at least as full as remembered.
 */
public final class DynamoDbRateLimiter implements RateLimiter {

    static final String KIND = "ratelimit#";
    static final AttributeValue BUCKET_SORT_KEY = AttributeValue.fromS("bucket");

    /*
     * Each failed attempt means another writer advanced this bucket, i.e. admitted a request, in the
     * moment between our read and our write. Losing this many times in a row means the bucket is being
     * drained by concurrent callers; we then deny rather than report the store unavailable: the store is
     * healthy, denying never over-admits, and "retry shortly" is the right answer to a client competing
     * for a contended bucket.
     */
    static final int MAX_ATTEMPTS = 8;

    /*
     * Once tat has passed, a missing item and the stored one admit alike, so TTL may delete it from then
     * on. The margin covers clocks of broker instances running behind the one that wrote.
     */
    static final long EXPIRY_MARGIN_SECONDS = 60;

    /*
     * About 31 years. Slower rates mean "burst, then never" in practice; the cap keeps tat arithmetic far
     * from overflow so such a bucket stays shut rather than wrapping around to open.
     */
    static final long MAX_INTERVAL_MICROS = 1_000_000_000_000_000L;

    /* Forgetting a key only costs one extra round trip, so the memory is capped by dropping it wholesale. */
    static final int MAX_REMEMBERED_KEYS = 10_000;

    private static final Bucket ABSENT = new Bucket(0, 0);

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Map<String, Bucket> lastSeen = new ConcurrentHashMap<>();

    public DynamoDbRateLimiter(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public Optional<Duration> tryAcquire(String key, RateLimit limit, Instant now) {
        long nowMicros = epochMicros(now);
        long interval = Math.min(limit.intervalMicros(), MAX_INTERVAL_MICROS);
        long tolerance = saturatingMultiply(limit.burst() - 1L, interval);
        Bucket believed = lastSeen.getOrDefault(key, ABSENT);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long ahead = believed.tat() - nowMicros;
            if (ahead > tolerance) {
                return Optional.of(Duration.of(ahead - tolerance, ChronoUnit.MICROS));
            }
            Bucket next = new Bucket(saturatingAdd(Math.max(believed.tat(), nowMicros), interval), believed.version() + 1);
            try {
                dynamoDb.putItem(acquireRequest(key, believed, next));
                remember(key, next);
                return Optional.empty();
            } catch (ConditionalCheckFailedException e) {
                believed = e.hasItem() && !e.item().isEmpty() ? fromItem(e.item()) : ABSENT;
                remember(key, believed);
            } catch (SdkException e) {
                throw new StoreUnavailableException("rate limit write failed: " + e.getClass().getSimpleName(), e);
            }
        }
        return Optional.of(Duration.of(interval, ChronoUnit.MICROS));
    }

    PutItemRequest acquireRequest(String key, Bucket expected, Bucket next) {
        Map<String, AttributeValue> item = new HashMap<>(key(key));
        item.put(RateLimitExpressions.TAT, AttributeValue.fromN(Long.toString(next.tat())));
        item.put(RateLimitExpressions.VERSION, AttributeValue.fromN(Long.toString(next.version())));
        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(
                Math.ceilDiv(next.tat(), 1_000_000L) + EXPIRY_MARGIN_SECONDS)));
        PutItemRequest.Builder request = PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (expected.version() == 0) {
            request.conditionExpression(RateLimitExpressions.CREATE_CONDITION)
                    .expressionAttributeNames(RateLimitExpressions.CREATE_NAMES);
        } else {
            request.conditionExpression(RateLimitExpressions.ADVANCE_CONDITION)
                    .expressionAttributeNames(RateLimitExpressions.ADVANCE_NAMES)
                    .expressionAttributeValues(Map.of(
                            ":expectedTat", AttributeValue.fromN(Long.toString(expected.tat())),
                            ":expectedVersion", AttributeValue.fromN(Long.toString(expected.version()))));
        }
        return request.build();
    }

    static Map<String, AttributeValue> key(String key) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + key),
                SessionTable.SORT_KEY, BUCKET_SORT_KEY);
    }

    /*
     * Threads of one instance race on the same key; keeping the later state (greater tat) means a slow
     * thread cannot roll the memory back. A re-created bucket has a greater tat than the one that expired,
     * so it replaces that too.
     */
    private void remember(String key, Bucket seen) {
        if (seen.version() == 0) {
            return;
        }
        if (lastSeen.size() >= MAX_REMEMBERED_KEYS && !lastSeen.containsKey(key)) {
            lastSeen.clear();
        }
        lastSeen.merge(key, seen, (old, fresh) -> fresh.tat() >= old.tat() ? fresh : old);
    }

    private static Bucket fromItem(Map<String, AttributeValue> item) {
        AttributeValue tat = item.get(RateLimitExpressions.TAT);
        AttributeValue version = item.get(RateLimitExpressions.VERSION);
        if (tat == null || tat.n() == null || version == null || version.n() == null) {
            // Only this class writes these items; anything else in their place is not a bucket to trust.
            throw new StoreUnavailableException("rate limit bucket is malformed", null);
        }
        try {
            return new Bucket(Long.parseLong(tat.n()), Long.parseLong(version.n()));
        } catch (NumberFormatException e) {
            throw new StoreUnavailableException("rate limit bucket is malformed", null);
        }
    }

    static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
    }

    /** What an instance believes a bucket holds; version 0 stands for "no item". */
    record Bucket(long tat, long version) {
    }
}
