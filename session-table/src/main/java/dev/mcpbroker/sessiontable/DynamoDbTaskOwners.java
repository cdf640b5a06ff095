package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.TaskOwners;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * {@link TaskOwners} in the state table: {@code taskowner#<server length>:<server>#<task id>} / {@code owner}, holding
 * {@code tenantId}, {@code agentId} and {@code expiresAt}. Recorded with a put that never overwrites, so the identity
 * whose call created a task keeps it whatever else is written later.
 */
public final class DynamoDbTaskOwners implements TaskOwners {

    static final String KIND = "taskowner#";
    static final AttributeValue SORT_KEY = AttributeValue.fromS("owner");
    static final String TENANT = "tenantId";
    static final String AGENT = "agentId";
    /** The first owner recorded keeps the task. */
    static final String RECORD_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> RECORD_NAMES = Map.of("#pk", SessionTable.PARTITION_KEY);

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbTaskOwners(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public void recordOwner(String serverId, String taskId, SessionOwner owner, Instant forgetAfter) {
        try {
            dynamoDb.putItem(recordRequest(serverId, taskId, owner, forgetAfter));
        } catch (ConditionalCheckFailedException e) {
            // recorded before (by this owner, or the first one keeps it)
        } catch (SdkException e) {
            throw new StoreUnavailableException("task owner record failed: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public Optional<SessionOwner> ownerOf(String serverId, String taskId) {
        Map<String, AttributeValue> item;
        try {
            item = dynamoDb.getItem(GetItemRequest.builder().tableName(tableName).key(key(serverId, taskId))
                    .consistentRead(true).build()).item();
        } catch (SdkException e) {
            throw new StoreUnavailableException("task owner read failed: " + e.getClass().getSimpleName(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue tenant = item.get(TENANT);
        AttributeValue agent = item.get(AGENT);
        if (tenant == null || tenant.s() == null || agent == null || agent.s() == null) {
            throw new StoreUnavailableException("task owner item is malformed", null);
        }
        return Optional.of(new SessionOwner(agent.s(), tenant.s(), null));
    }

    PutItemRequest recordRequest(String serverId, String taskId, SessionOwner owner, Instant forgetAfter) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(serverId, taskId));
        item.put(TENANT, AttributeValue.fromS(owner.tenantId()));
        item.put(AGENT, AttributeValue.fromS(owner.agentId()));
        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(forgetAfter.getEpochSecond())));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(RECORD_CONDITION)
                .expressionAttributeNames(RECORD_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    private static Map<String, AttributeValue> key(String serverId, String taskId) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(KIND + serverId.length() + ":" + serverId + "#" + taskId),
                SessionTable.SORT_KEY, SORT_KEY);
    }
}
