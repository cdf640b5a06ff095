package dev.mcpbroker.sessiontable.lease;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.capacity.LeaseStore;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.sessiontable.SessionTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link LeaseStore} in the state table: one item per slot ({@code lease#<pool>} / {@code slot#<n>}).
 * Taking a slot reads the pool's items once (a consistent Query; pools are small), then tries
 * conditional puts on free or expired slots in random order: of concurrent takers of one slot exactly
 * one wins, the others move on. The table's TTL removes long-expired lease items; correctness never
 * depends on it, because an expired lease already counts as free.
 */
public final class DynamoDbLeaseStore implements LeaseStore {

    private static final String KIND = "lease#";
    private static final String SLOT_PREFIX = "slot#";
    /** Long-expired lease items are left to the table's TTL this long after expiry. */
    private static final Duration TTL_GRACE = Duration.ofHours(1);

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbLeaseStore(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public Optional<Lease> tryAcquire(LeasePool pool, String holder, Instant now, Instant until) {
        List<Integer> candidates = new ArrayList<>();
        Map<Integer, Lease> held = new HashMap<>();
        list(pool).forEach(lease -> held.put(lease.slot(), lease));
        for (int slot = 0; slot < pool.size(); slot++) {
            Lease lease = held.get(slot);
            if (lease == null || !lease.isHeldAt(now)) {
                candidates.add(slot);
            }
        }
        Collections.shuffle(candidates); // concurrent takers spread over the free slots instead of all racing for slot 0
        // Every candidate is tried: a lost race means another taker holds that slot now, so a taker that loses
        // them all has seen the pool full, and no slot stays free while someone is refused.
        for (int slot : candidates) {
            Lease lease = new Lease(pool.name(), slot, holder, until);
            try {
                dynamoDb.putItem(acquireRequest(lease, now));
                return Optional.of(lease);
            } catch (ConditionalCheckFailedException e) {
                // another taker won this slot; try the next
            } catch (SdkException e) {
                throw unavailable("acquire", e);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean renew(Lease lease, Instant until) {
        try {
            dynamoDb.updateItem(renewRequest(lease, until));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw unavailable("renew", e);
        }
    }

    @Override
    public void release(Lease lease) {
        try {
            dynamoDb.deleteItem(releaseRequest(lease));
        } catch (ConditionalCheckFailedException e) {
            // no longer ours: it expired and was taken, or was released already
        } catch (SdkException e) {
            throw unavailable("release", e);
        }
    }

    @Override
    public List<Lease> list(LeasePool pool) {
        try {
            return dynamoDb.queryPaginator(QueryRequest.builder()
                            .tableName(tableName)
                            .keyConditionExpression("#pk = :pk")
                            .expressionAttributeNames(Map.of("#pk", SessionTable.PARTITION_KEY))
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(partition(pool.name()))))
                            .consistentRead(true)
                            .build())
                    .items().stream()
                    .map(item -> fromItem(pool.name(), item))
                    .toList();
        } catch (SdkException e) {
            throw unavailable("list", e);
        }
    }

    @Override
    public int reapExpired(LeasePool pool, Instant now) {
        int reaped = 0;
        for (Lease lease : list(pool)) {
            if (lease.isHeldAt(now)) {
                continue;
            }
            try {
                dynamoDb.deleteItem(reapRequest(lease, now));
                reaped++;
            } catch (ConditionalCheckFailedException e) {
                // renewed or re-taken since it was read
            } catch (SdkException e) {
                throw unavailable("reap", e);
            }
        }
        return reaped;
    }

    PutItemRequest acquireRequest(Lease lease, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(lease));
        item.put(LeaseExpressions.HOLDER, AttributeValue.fromS(lease.holder()));
        item.put(LeaseExpressions.UNTIL, millis(lease.until()));
        item.put(SessionTable.TTL_ATTRIBUTE, ttl(lease.until()));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(LeaseExpressions.ACQUIRE_CONDITION)
                .expressionAttributeNames(LeaseExpressions.ACQUIRE_NAMES)
                .expressionAttributeValues(Map.of(":now", millis(now)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest renewRequest(Lease lease, Instant until) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(key(lease))
                .conditionExpression(LeaseExpressions.RENEW_CONDITION)
                .updateExpression(LeaseExpressions.RENEW_UPDATE)
                .expressionAttributeNames(LeaseExpressions.RENEW_NAMES)
                .expressionAttributeValues(Map.of(
                        ":holder", AttributeValue.fromS(lease.holder()),
                        ":until", millis(until),
                        ":ttl", ttl(until)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    DeleteItemRequest releaseRequest(Lease lease) {
        return DeleteItemRequest.builder()
                .tableName(tableName)
                .key(key(lease))
                .conditionExpression(LeaseExpressions.RELEASE_CONDITION)
                .expressionAttributeNames(LeaseExpressions.RELEASE_NAMES)
                .expressionAttributeValues(Map.of(":holder", AttributeValue.fromS(lease.holder())))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    DeleteItemRequest reapRequest(Lease lease, Instant now) {
        return DeleteItemRequest.builder()
                .tableName(tableName)
                .key(key(lease))
                .conditionExpression(LeaseExpressions.REAP_CONDITION)
                .expressionAttributeNames(LeaseExpressions.REAP_NAMES)
                .expressionAttributeValues(Map.of(":now", millis(now)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    private static Lease fromItem(String pool, Map<String, AttributeValue> item) {
        String sortKey = item.get(SessionTable.SORT_KEY).s();
        return new Lease(pool, Integer.parseInt(sortKey.substring(SLOT_PREFIX.length())),
                item.get(LeaseExpressions.HOLDER).s(),
                Instant.ofEpochMilli(Long.parseLong(item.get(LeaseExpressions.UNTIL).n())));
    }

    private static Map<String, AttributeValue> key(Lease lease) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(partition(lease.pool())),
                SessionTable.SORT_KEY, AttributeValue.fromS(SLOT_PREFIX + String.format("%06d", lease.slot())));
    }

    private static String partition(String poolName) {
        return KIND + poolName;
    }

    private static AttributeValue millis(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.toEpochMilli()));
    }

    private static AttributeValue ttl(Instant until) {
        return AttributeValue.fromN(Long.toString(until.plus(TTL_GRACE).getEpochSecond()));
    }

    private StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("lease " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
