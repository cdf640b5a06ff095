package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.core.audit.AuditBacklog;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.sessiontable.SessionTable;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * {@link AuditBacklog} on the state table's sparse index {@link SessionTable#UNDELIVERED_INDEX}: an outbox event
 * carries the index key only until it is marked delivered, so a Scan of the index reads the undelivered events and
 * nothing else, however large the table. The index projects keys only; the chains' events are read from the table.
 *
 * <p>AWS exceptions stop here; every failure becomes {@link StoreUnavailableException}.
 */
public final class DynamoDbAuditBacklog implements AuditBacklog {

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public DynamoDbAuditBacklog(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
    }

    @Override
    public Set<String> chainsWithUndeliveredEvents() {
        Set<String> chains = new LinkedHashSet<>();
        try {
            for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(backlogRequest()).items()) {
                AttributeValue chain = item.get(SessionTable.UNDELIVERED_ATTRIBUTE);
                if (chain == null || chain.s() == null || !chain.s().startsWith(DynamoDbAuditOutbox.KIND)) {
                    throw new StoreUnavailableException("audit backlog index holds an item that is not an outbox event", null);
                }
                chains.add(chain.s().substring(DynamoDbAuditOutbox.KIND.length()));
            }
        } catch (SdkException e) {
            throw new StoreUnavailableException("audit backlog read failed: " + e.getClass().getSimpleName(), e);
        }
        return chains;
    }

    ScanRequest backlogRequest() {
        return ScanRequest.builder()
                .tableName(tableName)
                .indexName(SessionTable.UNDELIVERED_INDEX)
                .projectionExpression(AuditOutboxExpressions.BACKLOG_PROJECTION)
                .expressionAttributeNames(AuditOutboxExpressions.BACKLOG_NAMES)
                .build();
    }
}
