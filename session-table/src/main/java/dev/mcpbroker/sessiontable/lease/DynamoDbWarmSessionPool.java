package dev.mcpbroker.sessiontable.lease;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.session.WarmSessionPool;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.sessiontable.SessionTable;
import java.time.Instant;
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
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * {@link WarmSessionPool} in the state table: {@code warm#<server>} / {@code <createdAt>#<entryId>}, so a
 * Query returns the oldest entries first. Taking is DeleteItem with {@code attribute_exists} and
 * {@code ReturnValues=ALL_OLD}: the taker whose delete succeeds owns the session.
 */
public final class DynamoDbWarmSessionPool implements WarmSessionPool {

    private static final String KIND = "warm#";
    /** Entries read per page of a take: usually the first page has one; later pages are read only when it has not. */
    private static final int TAKE_PAGE = 10;

    static final String ENTRY_ID = "entryId";
    static final String UPSTREAM_SESSION_ID = "upstreamSessionId";
    static final String REQUESTED_VERSION = "requestedVersion";
    static final String PROTOCOL_VERSION = "protocolVersion";
    static final String INITIALIZE_PARAMS = "initializeParams";
    static final String INITIALIZE_RESULT = "initializeResult";
    static final String AFFINITY = "affinityCookies";
    static final String CREATED_AT = "createdAt";
    static final String FRESH_UNTIL = "freshUntil";

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbWarmSessionPool(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public void add(WarmSession session) {
        Map<String, AttributeValue> item = new HashMap<>(key(session));
        item.put(ENTRY_ID, AttributeValue.fromS(session.entryId()));
        if (session.upstreamSessionId() != null) {
            item.put(UPSTREAM_SESSION_ID, AttributeValue.fromS(session.upstreamSessionId()));
        }
        item.put(REQUESTED_VERSION, AttributeValue.fromS(session.requestedVersion()));
        item.put(PROTOCOL_VERSION, AttributeValue.fromS(session.protocolVersion()));
        item.put(INITIALIZE_PARAMS, AttributeValue.fromS(session.initializeParams()));
        item.put(INITIALIZE_RESULT, AttributeValue.fromS(session.initializeResult()));
        if (!session.affinity().isEmpty()) {
            Map<String, AttributeValue> cookies = new HashMap<>();
            session.affinity().cookies().forEach((name, value) -> cookies.put(name, AttributeValue.fromS(value)));
            item.put(AFFINITY, AttributeValue.fromM(cookies));
        }
        item.put(CREATED_AT, millis(session.createdAt()));
        item.put(FRESH_UNTIL, millis(session.expiresAt()));
        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(session.expiresAt().getEpochSecond() + 1)));
        try {
            dynamoDb.putItem(PutItemRequest.builder()
                    .tableName(tableName)
                    .item(item)
                    .conditionExpression(WarmPoolExpressions.ADD_CONDITION)
                    .expressionAttributeNames(WarmPoolExpressions.ADD_NAMES)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
        } catch (SdkException e) {
            throw unavailable("add", e);
        }
    }

    @Override
    public Optional<WarmSession> take(String serverId, String requestedVersion, Instant now) {
        for (WarmSession candidate : oldestFirst(serverId)) {
            if (!candidate.isFreshAt(now) || !candidate.requestedVersion().equals(requestedVersion)) {
                continue;
            }
            try {
                dynamoDb.deleteItem(takeRequest(candidate));
                return Optional.of(candidate);
            } catch (ConditionalCheckFailedException e) {
                // another instance took it first
            } catch (SdkException e) {
                throw unavailable("take", e);
            }
        }
        return Optional.empty();
    }

    @Override
    public List<WarmSession> list(String serverId) {
        return query(serverId);
    }

    @Override
    public boolean remove(WarmSession session) {
        try {
            dynamoDb.deleteItem(takeRequest(session));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw unavailable("remove", e);
        }
    }

    DeleteItemRequest takeRequest(WarmSession session) {
        return DeleteItemRequest.builder()
                .tableName(tableName)
                .key(key(session))
                .conditionExpression(WarmPoolExpressions.TAKE_CONDITION)
                .expressionAttributeNames(WarmPoolExpressions.TAKE_NAMES)
                .returnValues(ReturnValue.ALL_OLD)
                .build();
    }

    /** The server's entries, oldest first, read a page at a time as the caller goes on. */
    private Iterable<WarmSession> oldestFirst(String serverId) {
        Iterable<Map<String, AttributeValue>> items = dynamoDb.queryPaginator(request(serverId).limit(TAKE_PAGE).build()).items();
        return () -> new java.util.Iterator<>() {
            private final java.util.Iterator<Map<String, AttributeValue>> pages = items.iterator();

            @Override
            public boolean hasNext() {
                try {
                    return pages.hasNext();
                } catch (SdkException e) {
                    throw unavailable("read", e);
                }
            }

            @Override
            public WarmSession next() {
                return fromItem(serverId, pages.next());
            }
        };
    }

    /** The server's entries, oldest first. */
    private List<WarmSession> query(String serverId) {
        try {
            return dynamoDb.queryPaginator(request(serverId).build()).items().stream()
                    .map(item -> fromItem(serverId, item)).toList();
        } catch (SdkException e) {
            throw unavailable("read", e);
        }
    }

    private QueryRequest.Builder request(String serverId) {
        return QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", SessionTable.PARTITION_KEY))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(KIND + serverId)))
                .consistentRead(true);
    }

    private static WarmSession fromItem(String serverId, Map<String, AttributeValue> item) {
        Map<String, String> cookies = new HashMap<>();
        AttributeValue affinity = item.get(AFFINITY);
        if (affinity != null && affinity.hasM()) {
            affinity.m().forEach((name, value) -> cookies.put(name, value.s()));
        }
        AttributeValue upstream = item.get(UPSTREAM_SESSION_ID);
        return new WarmSession(serverId, item.get(ENTRY_ID).s(), upstream == null ? null : upstream.s(),
                item.get(REQUESTED_VERSION).s(), item.get(PROTOCOL_VERSION).s(), item.get(INITIALIZE_PARAMS).s(),
                item.get(INITIALIZE_RESULT).s(), new UpstreamAffinity(cookies), instant(item.get(CREATED_AT)),
                instant(item.get(FRESH_UNTIL)));
    }

    private static Map<String, AttributeValue> key(WarmSession session) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + session.serverId()),
                SessionTable.SORT_KEY, AttributeValue.fromS(String.format("%015d", session.createdAt().toEpochMilli())
                        + "#" + session.entryId()));
    }

    private static AttributeValue millis(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.toEpochMilli()));
    }

    private static Instant instant(AttributeValue millis) {
        return Instant.ofEpochMilli(Long.parseLong(millis.n()));
    }

    private StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("warm pool " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
