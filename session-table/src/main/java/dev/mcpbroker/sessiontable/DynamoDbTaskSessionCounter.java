package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.TaskSessionCounter;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link TaskSessionCounter} in the state table ({@code task#<tenant length>:<tenant>#<task>} / {@code sessions}: the
 * tenant's length keeps tenant and task ids from running into each other): an atomic {@code ADD}, so concurrent
 * initializes of one task each count once without a condition.
 */
public final class DynamoDbTaskSessionCounter implements TaskSessionCounter {

    static final String COUNT_UPDATE = "ADD #sessions :one SET #ttl = :ttl";
    static final Map<String, String> COUNT_NAMES = Map.of("#sessions", "sessions", "#ttl", SessionTable.TTL_ATTRIBUTE);

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbTaskSessionCounter(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public long countSession(String tenantId, String taskId, Instant forgetAfter) {
        try {
            return Long.parseLong(dynamoDb.updateItem(countRequest(tenantId, taskId, forgetAfter))
                    .attributes().get("sessions").n());
        } catch (SdkException e) {
            throw new StoreUnavailableException("task session count failed: " + e.getClass().getSimpleName(), e);
        }
    }

    UpdateItemRequest countRequest(String tenantId, String taskId, Instant forgetAfter) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(Map.of(
                        SessionTable.PARTITION_KEY, AttributeValue.fromS("task#" + tenantId.length() + ":" + tenantId + "#" + taskId),
                        SessionTable.SORT_KEY, AttributeValue.fromS("sessions")))
                .updateExpression(COUNT_UPDATE)
                .expressionAttributeNames(COUNT_NAMES)
                .expressionAttributeValues(Map.of(
                        ":one", AttributeValue.fromN("1"),
                        ":ttl", AttributeValue.fromN(Long.toString(forgetAfter.getEpochSecond()))))
                .returnValues(ReturnValue.UPDATED_NEW)
                .build();
    }
}
