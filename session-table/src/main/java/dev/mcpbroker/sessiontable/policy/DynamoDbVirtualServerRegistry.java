package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link VirtualServerRegistry} on the policy table, beside the upstream registry. A definition is one transaction:
 * the put (never overwriting, or replacing only what exists), a check that no upstream server holds the name, and a
 * check per member that it is registered; which condition failed says which refusal it is. A transaction that
 * collided with another on the same items is tried again, a few times, so the loser of two concurrent definitions
 * learns that the name is taken. Reads are strongly consistent.
 */
public final class DynamoDbVirtualServerRegistry implements VirtualServerRegistry {

    /** Concurrent transactions on one item cancel each other; after the winner commits, a retry sees its write. */
    private static final int CONFLICT_ATTEMPTS = 10;
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";
    private static final String CONFLICT = "TransactionConflict";

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;

    public DynamoDbVirtualServerRegistry(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    public DynamoDbVirtualServerRegistry(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, Clock.systemUTC());
    }

    @Override
    public Optional<VirtualServer> find(String name) {
        Map<String, AttributeValue> item;
        try {
            item = dynamoDb.getItem(findRequest(name)).item();
        } catch (SdkException e) {
            throw new StoreUnavailableException("virtual server read failed: " + e.getClass().getSimpleName(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(VirtualServerItems.fromItem(item));
        } catch (PolicyItems.MalformedItemException e) {
            throw new StoreUnavailableException("the policy table holds a malformed virtual server item", e);
        }
    }

    @Override
    public List<VirtualServer> all() {
        List<VirtualServer> servers = new ArrayList<>();
        try {
            dynamoDb.scanPaginator(new PolicyRequests(tableName, clock)
                    .scanRequest(VirtualServerItems.PREFIX, VirtualServerItems.ROLE)).items()
                    .forEach(item -> servers.add(VirtualServerItems.fromItem(item)));
        } catch (SdkException e) {
            throw new StoreUnavailableException("virtual server scan failed: " + e.getClass().getSimpleName(), e);
        } catch (PolicyItems.MalformedItemException e) {
            throw new StoreUnavailableException("the policy table holds a malformed virtual server item", e);
        }
        return servers;
    }

    @Override
    public void define(VirtualServer server, boolean replace) {
        TransactWriteItemsRequest request = defineRequest(server, replace);
        for (int attempt = 1; ; attempt++) {
            try {
                dynamoDb.transactWriteItems(request);
                return;
            } catch (TransactionCanceledException e) {
                List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
                for (int i = 0; i < reasons.size(); i++) {
                    if (CONDITION_FAILED.equals(reasons.get(i).code())) {
                        throw refusal(server, replace, i);
                    }
                }
                boolean conflict = reasons.stream().anyMatch(reason -> CONFLICT.equals(reason.code()));
                if (!conflict || attempt >= CONFLICT_ATTEMPTS) {
                    throw new StoreUnavailableException("virtual server definition cancelled: "
                            + reasons.stream().map(CancellationReason::code).toList(), e);
                }
            } catch (SdkException e) {
                throw new StoreUnavailableException("virtual server definition failed: " + e.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public void remove(String name) {
        try {
            dynamoDb.deleteItem(removeRequest(name));
        } catch (ConditionalCheckFailedException e) {
            throw new VirtualServerRefusal.NotDefined(name);
        } catch (SdkException e) {
            throw new StoreUnavailableException("virtual server removal failed: " + e.getClass().getSimpleName(), e);
        }
    }

    GetItemRequest findRequest(String name) {
        return GetItemRequest.builder().tableName(tableName).key(VirtualServerItems.key(name)).consistentRead(true).build();
    }

    /** Item 0: the definition; item 1: the name is no upstream server's; items 2..: each member is registered. */
    TransactWriteItemsRequest defineRequest(VirtualServer server, boolean replace) {
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().put(Put.builder()
                .tableName(tableName)
                .item(VirtualServerItems.item(server, clock.instant()))
                .conditionExpression(replace ? VirtualServerExpressions.REPLACE_CONDITION
                        : VirtualServerExpressions.CREATE_CONDITION)
                .expressionAttributeNames(VirtualServerExpressions.NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build()).build());
        items.add(check(PolicyItems.serverKey(server.name()), VirtualServerExpressions.NAME_FREE_CONDITION));
        for (VirtualMember member : server.members()) {
            items.add(check(PolicyItems.serverKey(member.serverId()), VirtualServerExpressions.MEMBER_CONDITION));
        }
        return TransactWriteItemsRequest.builder().transactItems(items).build();
    }

    DeleteItemRequest removeRequest(String name) {
        return DeleteItemRequest.builder()
                .tableName(tableName)
                .key(VirtualServerItems.key(name))
                .conditionExpression(VirtualServerExpressions.REMOVE_CONDITION)
                .expressionAttributeNames(VirtualServerExpressions.NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    private TransactWriteItem check(Map<String, AttributeValue> key, String condition) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder()
                .tableName(tableName)
                .key(key)
                .conditionExpression(condition)
                .expressionAttributeNames(VirtualServerExpressions.NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build()).build();
    }

    private static VirtualServerRefusal refusal(VirtualServer server, boolean replace, int item) {
        if (item == 0) {
            return replace ? new VirtualServerRefusal.NotDefined(server.name())
                    : new VirtualServerRefusal.AlreadyDefined(server.name());
        }
        if (item == 1) {
            return new VirtualServerRefusal.NameTaken(server.name());
        }
        return new VirtualServerRefusal.UnknownMember("no upstream server is registered as '"
                + server.members().get(item - 2).serverId() + "'");
    }
}
