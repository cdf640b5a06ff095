package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.BrokerSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Operator views of the state table, for the admin CLI. A full scan: never on the request path.
 */
public final class SessionAdmin {

    static final String LIVE_FILTER = "#sk = :session AND #state = :active AND #expiresAt > :now";
    static final Map<String, String> LIVE_NAMES = Map.of(
            "#sk", SessionTable.SORT_KEY,
            "#state", SessionExpressions.STATE,
            "#expiresAt", SessionTable.TTL_ATTRIBUTE);

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public SessionAdmin(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    /** Sessions that are active and not past their lifetime at {@code now}, optionally of one server. */
    public List<BrokerSession> liveSessions(Instant now, String serverIdOrNull) {
        ScanRequest request = liveSessionsRequest(now);
        List<BrokerSession> live = new ArrayList<>();
        try {
            for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(request).items()) {
                BrokerSession session = SessionItems.fromItem(item);
                if (serverIdOrNull == null || serverIdOrNull.equals(session.serverId())) {
                    live.add(session);
                }
            }
        } catch (SdkException e) {
            throw new StoreUnavailableException("session table scan failed: " + e.getClass().getSimpleName(), e);
        }
        return live;
    }

    ScanRequest liveSessionsRequest(Instant now) {
        return ScanRequest.builder()
                .tableName(tableName)
                .filterExpression(LIVE_FILTER)
                .expressionAttributeNames(LIVE_NAMES)
                .expressionAttributeValues(Map.of(
                        ":session", AttributeValue.fromS("session"),
                        ":active", AttributeValue.fromS(BrokerSession.State.ACTIVE.name()),
                        ":now", AttributeValue.fromN(Long.toString(now.getEpochSecond()))))
                .consistentRead(true)
                .build();
    }
}
