package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.sessiontable.SessionTable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The DynamoDB requests of {@link DynamoDbAuditOutbox}; the layout is described there. */
final class AuditOutboxRequests {

    private final String tableName;
    private final AuditEventCodec codec;

    AuditOutboxRequests(String tableName, AuditEventCodec codec) {
        this.tableName = tableName;
        this.codec = codec;
    }

    /**
     * One transaction: the head advanced from {@code believed} to the last of {@code chained}, each event put into its
     * free slot, then {@code together} (writes of another store that must happen with these events or not at all).
     * Order matters: a cancellation's reasons are read by position.
     */
    TransactWriteItemsRequest appendRequest(List<AuditEvent> chained, ChainHeads.Head believed, Instant expiresAt,
                                            List<TransactWriteItem> together) {
        AuditEvent last = chained.get(chained.size() - 1);
        Map<String, AttributeValue> headValues = new HashMap<>();
        headValues.put(":next", AttributeValue.fromN(Long.toString(last.sessionSeq())));
        headValues.put(":hash", AttributeValue.fromS(last.hash()));
        headValues.put(":expiresAt", seconds(expiresAt));
        Update.Builder head = Update.builder()
                .tableName(tableName)
                .key(key(last.chainKey(), DynamoDbAuditOutbox.HEAD_SORT_KEY))
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
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().update(head.build()).build());
        for (AuditEvent event : chained) {
            items.add(TransactWriteItem.builder().put(Put.builder()
                    .tableName(tableName)
                    .item(eventItem(event, expiresAt))
                    .conditionExpression(AuditOutboxExpressions.EVENT_CREATE_CONDITION)
                    .expressionAttributeNames(AuditOutboxExpressions.EVENT_CREATE_NAMES)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build()).build());
        }
        items.addAll(together);
        return TransactWriteItemsRequest.builder()
                /*
                 * Set here, not left to the SDK, so it is visibly one token per attempt: the SDK's own retries of this
                 * request reuse it, and DynamoDB answers a retransmission of a committed append with success instead
                 * of cancelling it on the head it has just advanced (which would append the events a second time).
                 */
                .clientRequestToken(UUID.randomUUID().toString())
                .transactItems(items)
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
                        ":pk", AttributeValue.fromS(DynamoDbAuditOutbox.KIND + chainKey),
                        ":eventPrefix", AttributeValue.fromS(DynamoDbAuditOutbox.EVENT_SORT_KEY_PREFIX),
                        ":false", AttributeValue.fromBool(false)))
                // A forwarder reads right after the broker wrote: an eventually consistent read could miss the event.
                .consistentRead(true)
                // Limit counts items evaluated before the filter, so it is a page size, not the result size.
                .limit(Math.max(limit, DynamoDbAuditOutbox.MIN_QUERY_PAGE_ITEMS))
                .build();
    }

    Map<String, AttributeValue> eventItem(AuditEvent chained, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key(chained.chainKey(), eventSortKey(chained.sessionSeq())));
        item.put(AuditOutboxExpressions.EVENT, AttributeValue.fromS(new String(codec.encode(chained), StandardCharsets.UTF_8)));
        item.put(AuditOutboxExpressions.DELIVERED, AttributeValue.fromBool(false));
        item.put(AuditOutboxExpressions.EVENT_ID, AttributeValue.fromS(chained.eventId()));
        // Indexed until markDelivered removes it: the sparse index then lists exactly the undelivered events.
        item.put(SessionTable.UNDELIVERED_ATTRIBUTE, AttributeValue.fromS(DynamoDbAuditOutbox.KIND + chained.chainKey()));
        item.put(SessionTable.TTL_ATTRIBUTE, seconds(expiresAt));
        return item;
    }

    static Map<String, AttributeValue> key(String chainKey, AttributeValue sortKey) {
        return Map.of(
                SessionTable.PARTITION_KEY, AttributeValue.fromS(DynamoDbAuditOutbox.KIND + chainKey),
                SessionTable.SORT_KEY, sortKey);
    }

    static AttributeValue eventSortKey(long seq) {
        // Zero-padded so that sort-key order, the order a Query returns, is sequence order.
        return AttributeValue.fromS(DynamoDbAuditOutbox.EVENT_SORT_KEY_PREFIX + String.format("%012d", seq));
    }

    static AttributeValue seconds(Instant at) {
        return AttributeValue.fromN(Long.toString(at.getEpochSecond()));
    }
}
