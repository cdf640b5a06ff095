package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.PolicyStore;
import dev.mcpbroker.core.policy.RateLimit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * {@link PolicyStore} on the policy table. Reads are strongly consistent so a revoke takes effect on the
 * next request rather than after replication. An item that cannot be read as a policy counts as
 * unavailable, never as "no restriction": the broker then denies.
 */
public final class DynamoDbPolicyStore implements PolicyStore {

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbPolicyStore(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public Optional<AgentGrant> agent(String agentId) {
        return read(getRequest(PolicyItems.agentKey(agentId)), "agent grant", PolicyItems::agentFromItem);
    }

    @Override
    public Optional<RateLimit> tenantRateLimit(String tenantId) {
        return read(getRequest(PolicyItems.tenantKey(tenantId)), "tenant limits", item -> PolicyItems.rateFrom(item, true));
    }

    GetItemRequest getRequest(Map<String, AttributeValue> key) {
        return GetItemRequest.builder().tableName(tableName).key(key).consistentRead(true).build();
    }

    private <T> Optional<T> read(GetItemRequest request, String what, Function<Map<String, AttributeValue>, T> parse) {
        Map<String, AttributeValue> item;
        try {
            item = dynamoDb.getItem(request).item();
        } catch (SdkException e) {
            throw new StoreUnavailableException("policy table read of " + what + " failed: " + e.getClass().getSimpleName(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(item));
        } catch (PolicyItems.MalformedItemException e) {
            throw new StoreUnavailableException("policy table holds a malformed " + what + " item", e);
        }
    }
}
