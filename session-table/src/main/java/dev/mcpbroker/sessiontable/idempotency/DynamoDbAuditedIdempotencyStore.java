package dev.mcpbroker.sessiontable.idempotency;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.AuditedIdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link DynamoDbIdempotencyStore}'s records written in the audit outbox's transaction: a claim with the call's intent
 * (the head of the session's chain advanced, the event put, the record put on its condition), a completion with its
 * outcome. A claim refused on its condition cancels the transaction, so no intent is recorded for a call that is not
 * sent; the outbox retries a transaction it lost to another instance's append on the chain head the cancellation
 * returned, and the record's condition is evaluated again each time.
 */
final class DynamoDbAuditedIdempotencyStore implements AuditedIdempotencyStore {

    /* Position of the record's write among the writes appended with the events. */
    private static final int RECORD = 0;

    private final DynamoDbIdempotencyStore records;
    private final DynamoDbClient dynamoDb;
    private final DynamoDbAuditOutbox outbox;
    private final int limitBytes;

    DynamoDbAuditedIdempotencyStore(DynamoDbIdempotencyStore records, DynamoDbClient dynamoDb, DynamoDbAuditOutbox outbox,
                                    int limitBytes) {
        this.records = Objects.requireNonNull(records);
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.outbox = Objects.requireNonNull(outbox);
        this.limitBytes = limitBytes;
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention,
                                   AuditEvent intent) {
        IdempotencyRecord claim = DynamoDbIdempotencyStore.newClaim(scope, fingerprint, now, lease, retention);
        try {
            outbox.appendWith(List.of(intent), List.of(put(records.claimRequest(claim, now))));
            return claim;
        } catch (DynamoDbAuditOutbox.TogetherRefusedException e) {
            if (e.index() != RECORD || e.item().isEmpty()) {
                throw new StoreUnavailableException("idempotency claim refused without the existing record", e);
            }
            throw new KeyAlreadyClaimedException(records.toRecord(e.item()));
        }
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now, AuditEvent outcome) {
        Objects.requireNonNull(result, "result");
        ResultEncoding encoding = ResultEncoding.of(result, limitBytes);
        if (encoding instanceof ResultEncoding.Chunked chunked) {
            // Chunks first, on their own: invisible until the record names them, garbage for TTL if it never does.
            try {
                for (PutItemRequest chunk : records.chunkRequests(claim, chunked)) {
                    dynamoDb.putItem(chunk);
                }
            } catch (SdkException e) {
                throw DynamoDbIdempotencyStore.unavailable("complete", e);
            }
        }
        try {
            outbox.appendWith(List.of(outcome), List.of(update(records.completeRequest(claim, encoding))));
        } catch (DynamoDbAuditOutbox.TogetherRefusedException e) {
            throw new RecordChangedException(e.item().isEmpty() ? null : records.toRecord(e.item()));
        }
        return DynamoDbIdempotencyStore.next(claim, IdempotencyRecord.Status.COMPLETED, result);
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention) {
        return records.claim(scope, fingerprint, now, lease, retention);
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now) {
        return records.complete(claim, result, now);
    }

    @Override
    public IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now) {
        return records.markUnknown(record, now);
    }

    @Override
    public void release(IdempotencyRecord claim) {
        records.release(claim);
    }

    @Override
    public Optional<IdempotencyRecord> find(IdempotencyScope scope) {
        return records.find(scope);
    }

    /** The conditional put of a claim, as one write of a transaction. */
    static TransactWriteItem put(PutItemRequest request) {
        return TransactWriteItem.builder().put(Put.builder()
                .tableName(request.tableName())
                .item(request.item())
                .conditionExpression(request.conditionExpression())
                .expressionAttributeNames(request.expressionAttributeNames())
                .expressionAttributeValues(request.expressionAttributeValues())
                .returnValuesOnConditionCheckFailure(request.returnValuesOnConditionCheckFailureAsString())
                .build()).build();
    }

    /** The conditional update of a completion, as one write of a transaction. */
    static TransactWriteItem update(UpdateItemRequest request) {
        return TransactWriteItem.builder().update(Update.builder()
                .tableName(request.tableName())
                .key(request.key())
                .conditionExpression(request.conditionExpression())
                .updateExpression(request.updateExpression())
                .expressionAttributeNames(request.expressionAttributeNames())
                .expressionAttributeValues(request.expressionAttributeValues())
                .returnValuesOnConditionCheckFailure(request.returnValuesOnConditionCheckFailureAsString())
                .build()).build();
    }
}
