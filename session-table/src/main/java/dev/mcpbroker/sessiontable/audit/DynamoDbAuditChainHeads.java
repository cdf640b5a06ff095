package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.sessiontable.SessionTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The head of every audit chain in the outbox ({@link DynamoDbAuditOutbox}: sort key {@code head}, the sequence number
 * of the chain's last stored event): what the verifier holds the delivered events against, since a chain whose last
 * events were lost shows no gap. A Scan of the state table (heads live in every chain's own partition), filtered to
 * heads and projected to three attributes; it reads the whole table, so it is an auditor's tool, not a request path.
 *
 * <p>AWS exceptions stop here; every failure becomes {@link StoreUnavailableException}.
 */
public final class DynamoDbAuditChainHeads {

    /**
     * One chain's head.
     *
     * @param chainKey   the chain (session id)
     * @param seq        sequence number of its last stored event
     * @param lastAppend when that event was stored, derived from the head's expiry (every append refreshes it)
     */
    public record Head(String chainKey, long seq, Instant lastAppend) {
    }

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;

    /** @param retention the outbox retention the broker runs with ({@code broker.audit.outbox-retention}) */
    public DynamoDbAuditChainHeads(DynamoDbClient dynamoDb, String tableName, Duration retention) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.retention = Objects.requireNonNull(retention, "retention");
    }

    /** Every chain's head, in no particular order. */
    public List<Head> read() {
        List<Head> heads = new ArrayList<>();
        try {
            for (Map<String, AttributeValue> item : dynamoDb.scanPaginator(headsRequest()).items()) {
                heads.add(headOf(item));
            }
        } catch (SdkException e) {
            throw new StoreUnavailableException("audit chain heads could not be read: " + e.getClass().getSimpleName(), e);
        }
        return heads;
    }

    private Head headOf(Map<String, AttributeValue> item) {
        AttributeValue pk = item.get(SessionTable.PARTITION_KEY);
        AttributeValue seq = item.get(AuditOutboxExpressions.SEQ);
        AttributeValue expiresAt = item.get(SessionTable.TTL_ATTRIBUTE);
        try {
            Instant expiry = Instant.ofEpochSecond(Long.parseLong(expiresAt.n()));
            return new Head(pk.s().substring(DynamoDbAuditOutbox.KIND.length()), Long.parseLong(seq.n()), expiry.minus(retention));
        } catch (NullPointerException | NumberFormatException e) {
            throw new StoreUnavailableException("audit chain head is malformed", null);
        }
    }

    ScanRequest headsRequest() {
        return ScanRequest.builder()
                .tableName(tableName)
                .filterExpression(AuditOutboxExpressions.HEADS_FILTER)
                .projectionExpression(AuditOutboxExpressions.HEADS_PROJECTION)
                .expressionAttributeNames(AuditOutboxExpressions.HEADS_NAMES)
                .expressionAttributeValues(Map.of(
                        ":head", DynamoDbAuditOutbox.HEAD_SORT_KEY,
                        ":audit", AttributeValue.fromS(DynamoDbAuditOutbox.KIND)))
                .build();
    }
}
