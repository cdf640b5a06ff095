package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * {@link UpstreamRegistry} on the policy table. Reads are strongly consistent so a kill switch takes
 * effect on the next request. A registry item that cannot be read (a scheme without its secret id, a bad
 * URL) is reported as unavailable: guessing how to reach or authenticate to an upstream is worse than
 * refusing.
 */
public final class DynamoDbUpstreamRegistry implements UpstreamRegistry {

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbUpstreamRegistry(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
    }

    @Override
    public Optional<UpstreamServer> find(String serverId) {
        Map<String, AttributeValue> item;
        try {
            item = dynamoDb.getItem(findRequest(serverId)).item();
        } catch (SdkException e) {
            throw new StoreUnavailableException("upstream registry read failed: " + e.getClass().getSimpleName(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(PolicyItems.serverFromItem(item));
        } catch (PolicyItems.MalformedItemException e) {
            throw new StoreUnavailableException("upstream registry holds a malformed server item", e);
        }
    }

    GetItemRequest findRequest(String serverId) {
        return GetItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.serverKey(serverId))
                .consistentRead(true)
                .build();
    }
}
