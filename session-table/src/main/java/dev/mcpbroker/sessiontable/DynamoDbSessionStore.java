package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import java.time.Instant;
import dev.mcpbroker.sessiontable.audit.ChainHeads;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link SessionStore} on DynamoDB. AWS exceptions stop here: a failed condition becomes the port's
 * exception for that failure mode, anything else {@link StoreUnavailableException}.
 *
 * <p>With {@link ChainHeads}, a session is read together with the head of its audit chain, in one round trip: the
 * request's audit append then chains on the current head even when another instance served the session's previous
 * request, instead of losing a transaction to learn it.
 */
public final class DynamoDbSessionStore implements SessionStore {

    private static final String KIND = "session#";
    private static final AttributeValue SESSION_SORT_KEY = AttributeValue.fromS("session");
    /* Unprocessed keys come from throttling; past this the read is reported unavailable like any failed read. */
    private static final int MAX_BATCH_ATTEMPTS = 3;

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final ChainHeads heads;
    private final String outboxTable;

    public DynamoDbSessionStore(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, null, null);
    }

    /**
     * @param heads        what this instance believes about audit chain heads, shared with its audit outbox
     * @param outboxTable  the table the audit outbox keeps chain heads in
     */
    public DynamoDbSessionStore(DynamoDbClient dynamoDb, String tableName, ChainHeads heads, String outboxTable) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
        if ((heads == null) != (outboxTable == null)) {
            throw new IllegalArgumentException("chain heads and their table go together");
        }
        this.heads = heads;
        this.outboxTable = outboxTable;
    }

    @Override
    public void create(BrokerSession session) {
        PutItemRequest request = createRequest(session);
        try {
            dynamoDb.putItem(request);
        } catch (ConditionalCheckFailedException e) {
            throw new SessionAlreadyExistsException("a session with id " + SessionIds.redact(session.sessionId()) + " exists");
        } catch (SdkException e) {
            throw unavailable("create", e);
        }
    }

    @Override
    public void createUnlessLive(BrokerSession session, Instant now) {
        try {
            dynamoDb.putItem(createUnlessLiveRequest(session, now));
        } catch (ConditionalCheckFailedException e) {
            throw new SessionAlreadyExistsException("a live session with id " + SessionIds.redact(session.sessionId()) + " exists");
        } catch (SdkException e) {
            throw unavailable("create", e);
        }
    }

    @Override
    public Optional<BrokerSession> find(String sessionId) {
        if (heads == null) {
            return findAlone(sessionId);
        }
        try {
            Map<String, AttributeValue> item = null;
            BatchGetItemRequest request = findWithHeadRequest(sessionId);
            // A head read here is older than none this instance's own appends may have written since: ChainHeads keeps the newer.
            for (int attempt = 1; ; attempt++) {
                BatchGetItemResponse response = dynamoDb.batchGetItem(request);
                for (Map.Entry<String, List<Map<String, AttributeValue>>> table : response.responses().entrySet()) {
                    for (Map<String, AttributeValue> read : table.getValue()) {
                        if (isSession(table.getKey(), read)) {
                            item = read;
                        } else {
                            heads.read(sessionId, read);
                        }
                    }
                }
                if (!sessionUnprocessed(response, sessionId)) {
                    break;
                }
                if (attempt >= MAX_BATCH_ATTEMPTS) {
                    throw new StoreUnavailableException("session table read left the session unprocessed", null);
                }
                // Only throttling leaves keys unprocessed: ask again for the session; the head was a courtesy.
                request = BatchGetItemRequest.builder().requestItems(Map.of(tableName, KeysAndAttributes.builder()
                        .keys(List.of(key(sessionId))).consistentRead(true).build())).build();
            }
            return item == null ? Optional.empty() : Optional.of(SessionItems.fromItem(item));
        } catch (SdkException e) {
            throw unavailable("read", e);
        }
    }

    private Optional<BrokerSession> findAlone(String sessionId) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(GetItemRequest.builder()
                    .tableName(tableName)
                    .key(key(sessionId))
                    .consistentRead(true)
                    .build()).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(SessionItems.fromItem(item));
        } catch (SdkException e) {
            throw unavailable("read", e);
        }
    }

    /** The session and its chain's head, both strongly consistent (a stale head would cost the append a retry). */
    BatchGetItemRequest findWithHeadRequest(String sessionId) {
        Map<String, KeysAndAttributes> tables = new HashMap<>();
        if (tableName.equals(outboxTable)) {
            tables.put(tableName, KeysAndAttributes.builder()
                    .keys(List.of(key(sessionId), ChainHeads.headKey(sessionId))).consistentRead(true).build());
        } else {
            tables.put(tableName, KeysAndAttributes.builder().keys(List.of(key(sessionId))).consistentRead(true).build());
            tables.put(outboxTable, KeysAndAttributes.builder()
                    .keys(List.of(ChainHeads.headKey(sessionId))).consistentRead(true).build());
        }
        return BatchGetItemRequest.builder().requestItems(tables).build();
    }

    private boolean isSession(String table, Map<String, AttributeValue> item) {
        return table.equals(tableName) && SESSION_SORT_KEY.equals(item.get(SessionTable.SORT_KEY))
                && item.getOrDefault(SessionTable.PARTITION_KEY, AttributeValue.fromS("")).s().startsWith(KIND);
    }

    private boolean sessionUnprocessed(BatchGetItemResponse response, String sessionId) {
        KeysAndAttributes unprocessed = response.hasUnprocessedKeys() ? response.unprocessedKeys().get(tableName) : null;
        return unprocessed != null && unprocessed.keys().contains(key(sessionId));
    }

    @Override
    public void replace(BrokerSession next, long expectedVersion) {
        PutItemRequest request = replaceRequest(next, expectedVersion);
        try {
            dynamoDb.putItem(request);
        } catch (ConditionalCheckFailedException e) {
            BrokerSession current = e.hasItem() && !e.item().isEmpty() ? SessionItems.fromItem(e.item()) : null;
            throw new SessionChangedException("session is not active at version " + expectedVersion, current);
        } catch (SdkException e) {
            throw unavailable("replace", e);
        }
    }

    @Override
    public BrokerSession end(String sessionId, long expectedVersion, Instant at) {
        UpdateItemRequest request = endRequest(sessionId, expectedVersion, at);
        try {
            return SessionItems.fromItem(dynamoDb.updateItem(request).attributes());
        } catch (ConditionalCheckFailedException e) {
            BrokerSession current = e.hasItem() && !e.item().isEmpty() ? SessionItems.fromItem(e.item()) : null;
            throw new SessionChangedException("session is not active at version " + expectedVersion, current);
        } catch (SdkException e) {
            throw unavailable("end", e);
        }
    }

    PutItemRequest createRequest(BrokerSession session) {
        Map<String, AttributeValue> item = new HashMap<>(SessionItems.toItem(session));
        item.putAll(key(session.sessionId()));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(SessionExpressions.CREATE_CONDITION)
                .expressionAttributeNames(SessionExpressions.CREATE_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    PutItemRequest createUnlessLiveRequest(BrokerSession session, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(SessionItems.toItem(session));
        item.putAll(key(session.sessionId()));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(SessionExpressions.CREATE_UNLESS_LIVE_CONDITION)
                .expressionAttributeNames(SessionExpressions.CREATE_UNLESS_LIVE_NAMES)
                .expressionAttributeValues(Map.of(
                        ":ended", AttributeValue.fromS(BrokerSession.State.ENDED.name()),
                        ":now", AttributeValue.fromN(Long.toString(now.toEpochMilli()))))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    PutItemRequest replaceRequest(BrokerSession next, long expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>(SessionItems.toItem(next));
        item.putAll(key(next.sessionId()));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(SessionExpressions.REPLACE_CONDITION)
                .expressionAttributeNames(SessionExpressions.REPLACE_NAMES)
                .expressionAttributeValues(Map.of(
                        ":active", AttributeValue.fromS(BrokerSession.State.ACTIVE.name()),
                        ":expectedVersion", AttributeValue.fromN(Long.toString(expectedVersion))))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest endRequest(String sessionId, long expectedVersion, Instant at) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(key(sessionId))
                .conditionExpression(SessionExpressions.END_CONDITION)
                .updateExpression(SessionExpressions.END_UPDATE)
                .expressionAttributeNames(SessionExpressions.END_NAMES)
                .expressionAttributeValues(Map.of(
                        ":active", AttributeValue.fromS(BrokerSession.State.ACTIVE.name()),
                        ":ended", AttributeValue.fromS(BrokerSession.State.ENDED.name()),
                        ":expectedVersion", AttributeValue.fromN(Long.toString(expectedVersion)),
                        ":nextVersion", AttributeValue.fromN(Long.toString(expectedVersion + 1)),
                        ":endedAt", AttributeValue.fromN(Long.toString(at.toEpochMilli()))))
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    static Map<String, AttributeValue> key(String sessionId) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + sessionId),
                SessionTable.SORT_KEY, SESSION_SORT_KEY);
    }

    private StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("session table " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
