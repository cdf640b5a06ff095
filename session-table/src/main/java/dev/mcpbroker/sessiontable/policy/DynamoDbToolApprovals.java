package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.pinning.ApprovalConflictException;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolApprovals;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link ToolApprovals} on the policy table ({@link ToolApprovalItems} for the layout). A server's mode and approvals
 * are one strongly consistent query. Approvals are conditional puts; the mode is set only for a registered server.
 * The broker itself writes nothing here but first-sight approvals under {@code warn} (create-only), which the SAM
 * template allows on the {@code tools#} partitions alone.
 */
public final class DynamoDbToolApprovals implements ToolApprovals {

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;

    public DynamoDbToolApprovals(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public ServerPins read(String serverId) {
        PinningMode mode = PinningMode.OFF;
        Map<String, ApprovedTool> approved = new HashMap<>();
        Map<String, AttributeValue> start = null;
        try {
            do {
                QueryResponse page = dynamoDb.query(readRequest(serverId, start));
                for (Map<String, AttributeValue> item : page.items()) {
                    if (ToolApprovalItems.isApproval(item)) {
                        ApprovedTool approval = ToolApprovalItems.approvalFrom(item);
                        approved.put(approval.name(), approval);
                    } else if (ToolApprovalItems.MODE_ROLE.equals(item.get(PolicyTable.SORT_KEY).s())) {
                        mode = ToolApprovalItems.modeFrom(item);
                    }
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
        } catch (SdkException e) {
            throw new StoreUnavailableException("tool approvals read failed: " + e.getClass().getSimpleName(), e);
        } catch (PolicyItems.MalformedItemException e) {
            throw new StoreUnavailableException("policy table holds a malformed tool pinning item", e);
        }
        return new ServerPins(mode, approved);
    }

    @Override
    public void approve(String serverId, ApprovedTool approval, Optional<String> replacing) {
        try {
            dynamoDb.putItem(approveRequest(serverId, approval, replacing));
        } catch (ConditionalCheckFailedException e) {
            Optional<ApprovedTool> current = Optional.empty();
            if (e.hasItem() && !e.item().isEmpty()) {
                try {
                    current = Optional.of(ToolApprovalItems.approvalFrom(e.item()));
                } catch (PolicyItems.MalformedItemException malformed) {
                    // the conflict stands; what is stored instead cannot be shown
                }
            }
            throw new ApprovalConflictException(serverId, approval.name(), current);
        } catch (SdkException e) {
            throw new StoreUnavailableException("tool approval write failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * @throws PolicyAdminException.UnknownServerException when no server of that id is registered; nothing written
     */
    @Override
    public void setMode(String serverId, PinningMode mode) {
        try {
            dynamoDb.transactWriteItems(setModeRequest(serverId, mode));
        } catch (TransactionCanceledException e) {
            if (e.hasCancellationReasons() && !e.cancellationReasons().isEmpty()
                    && "ConditionalCheckFailed".equals(e.cancellationReasons().get(0).code())) {
                throw new PolicyAdminException.UnknownServerException(serverId);
            }
            throw new StoreUnavailableException("tool pinning mode write failed: transaction cancelled", e);
        } catch (SdkException e) {
            throw new StoreUnavailableException("tool pinning mode write failed: " + e.getClass().getSimpleName(), e);
        }
    }

    QueryRequest readRequest(String serverId, Map<String, AttributeValue> exclusiveStart) {
        return QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression(ToolApprovalExpressions.READ_KEY_CONDITION)
                .expressionAttributeNames(ToolApprovalExpressions.READ_NAMES)
                .expressionAttributeValues(Map.of(":pk", ToolApprovalItems.partition(serverId)))
                .consistentRead(true)
                .exclusiveStartKey(exclusiveStart)
                .build();
    }

    PutItemRequest approveRequest(String serverId, ApprovedTool approval, Optional<String> replacing) {
        PutItemRequest.Builder put = PutItemRequest.builder()
                .tableName(tableName)
                .item(ToolApprovalItems.approvalItem(serverId, approval))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (replacing.isEmpty()) {
            return put.conditionExpression(ToolApprovalExpressions.APPROVE_NEW_CONDITION)
                    .expressionAttributeNames(ToolApprovalExpressions.APPROVE_NEW_NAMES).build();
        }
        return put.conditionExpression(ToolApprovalExpressions.APPROVE_REPLACING_CONDITION)
                .expressionAttributeNames(ToolApprovalExpressions.APPROVE_REPLACING_NAMES)
                .expressionAttributeValues(Map.of(":replacing", AttributeValue.fromS(replacing.get())))
                .build();
    }

    TransactWriteItemsRequest setModeRequest(String serverId, PinningMode mode) {
        return TransactWriteItemsRequest.builder().transactItems(
                item -> item.conditionCheck(check -> check.tableName(tableName)
                        .key(PolicyItems.serverKey(serverId))
                        .conditionExpression(ToolApprovalExpressions.SERVER_REGISTERED_CONDITION)
                        .expressionAttributeNames(ToolApprovalExpressions.SERVER_REGISTERED_NAMES)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)),
                item -> item.update(update -> update.tableName(tableName)
                        .key(ToolApprovalItems.modeKey(serverId))
                        .updateExpression(ToolApprovalExpressions.SET_MODE_UPDATE)
                        .expressionAttributeNames(ToolApprovalExpressions.SET_MODE_NAMES)
                        .expressionAttributeValues(Map.of(
                                ":mode", AttributeValue.fromS(mode.wireName()),
                                ":updatedAt", AttributeValue.fromN(Long.toString(clock.millis())))))).build();
    }
}
