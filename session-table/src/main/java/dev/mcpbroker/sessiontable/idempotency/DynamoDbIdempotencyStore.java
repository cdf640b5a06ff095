package dev.mcpbroker.sessiontable.idempotency;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.AuditedIdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyStore;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.SessionTable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link IdempotencyStore} on the state table (layout in {@link IdempotencyItems}). Every change is one
 * conditional write whose failure returns the item as it was, so losing a race costs no second read. AWS
 * exceptions stop here: a failed condition becomes the port's exception for that operation, anything
 * else {@link StoreUnavailableException}.
 *
 * <p>Round trips: claim 1; complete 1 (plus one PutItem per chunk for a result over the limit even
 * gzipped); markUnknown 1; release 1; find 1. Only a record with a chunked result costs one Query more
 * wherever it is read, including from a failed write: a completed record always carries its result.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final int limitBytes;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, ResultEncoding.DEFAULT_LIMIT_BYTES);
    }

    /** {@code limitBytes}: largest result, inline or gzipped, and largest chunk. Lowered only by tests. */
    DynamoDbIdempotencyStore(DynamoDbClient dynamoDb, String tableName, int limitBytes) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
        if (limitBytes <= 0 || limitBytes > ResultEncoding.DEFAULT_LIMIT_BYTES) {
            throw new IllegalArgumentException("limit must be in (0, " + ResultEncoding.DEFAULT_LIMIT_BYTES + "]");
        }
        this.limitBytes = limitBytes;
    }

    /** This store, writing each claim with its audit intent and each completion with its outcome, in one transaction. */
    public AuditedIdempotencyStore audited(DynamoDbAuditOutbox outbox) {
        return new DynamoDbAuditedIdempotencyStore(this, dynamoDb, outbox, limitBytes);
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention) {
        IdempotencyRecord claim = newClaim(scope, fingerprint, now, lease, retention);
        try {
            dynamoDb.putItem(claimRequest(claim, now));
            return claim;
        } catch (ConditionalCheckFailedException e) {
            if (!e.hasItem() || e.item().isEmpty()) {
                // The condition failed on an item that DynamoDB did not return: nothing to decide on.
                throw new StoreUnavailableException("idempotency claim refused without the existing record", e);
            }
            throw new KeyAlreadyClaimedException(toRecord(e.item()));
        } catch (SdkException e) {
            throw unavailable("claim", e);
        }
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now) {
        Objects.requireNonNull(result, "result");
        ResultEncoding encoding = ResultEncoding.of(result, limitBytes);
        try {
            if (encoding instanceof ResultEncoding.Chunked chunked) {
                /*
                 * Chunks first, unconditionally: they are invisible until the record names them, and if the
                 * completing write then fails they are unreferenced garbage that TTL removes.
                 */
                for (PutItemRequest chunk : chunkRequests(claim, chunked)) {
                    dynamoDb.putItem(chunk);
                }
            }
            dynamoDb.updateItem(completeRequest(claim, encoding));
        } catch (ConditionalCheckFailedException e) {
            throw changed(e);
        } catch (SdkException e) {
            throw unavailable("complete", e);
        }
        return next(claim, IdempotencyRecord.Status.COMPLETED, result);
    }

    @Override
    public IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now) {
        try {
            dynamoDb.updateItem(markUnknownRequest(record, now));
        } catch (ConditionalCheckFailedException e) {
            throw changed(e);
        } catch (SdkException e) {
            throw unavailable("markUnknown", e);
        }
        return next(record, IdempotencyRecord.Status.UNKNOWN, null);
    }

    @Override
    public void release(IdempotencyRecord claim) {
        try {
            dynamoDb.deleteItem(releaseRequest(claim));
        } catch (ConditionalCheckFailedException e) {
            throw changed(e);
        } catch (SdkException e) {
            throw unavailable("release", e);
        }
    }

    @Override
    public Optional<IdempotencyRecord> find(IdempotencyScope scope) {
        Map<String, AttributeValue> item;
        try {
            item = dynamoDb.getItem(findRequest(scope.recordId())).item();
        } catch (SdkException e) {
            throw unavailable("read", e);
        }
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toRecord(item));
    }

    static IdempotencyRecord newClaim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention) {
        // Stored as epoch millis and seconds: the record handed back must equal the one read back later.
        Instant claimedAt = now.truncatedTo(ChronoUnit.MILLIS);
        Instant expiresAt = claimedAt.plus(retention);
        Instant expiresAtSecond = expiresAt.truncatedTo(ChronoUnit.SECONDS);
        return new IdempotencyRecord(scope.recordId(), scope, fingerprint, IdempotencyRecord.Status.IN_PROGRESS,
                claimedAt, claimedAt.plus(lease).truncatedTo(ChronoUnit.MILLIS), null,
                // rounded up: retention is a minimum
                expiresAtSecond.equals(expiresAt) ? expiresAt : expiresAtSecond.plusSeconds(1), 1);
    }

    PutItemRequest claimRequest(IdempotencyRecord claim, Instant now) {
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(IdempotencyItems.claimItem(claim))
                .conditionExpression(IdempotencyExpressions.CLAIM_CONDITION)
                .expressionAttributeNames(IdempotencyExpressions.CLAIM_NAMES)
                .expressionAttributeValues(Map.of(":now", IdempotencyItems.seconds(now)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest completeRequest(IdempotencyRecord claim, ResultEncoding encoding) {
        Map<String, AttributeValue> values = ownClaimValues(claim);
        values.put(":completed", AttributeValue.fromS(IdempotencyRecord.Status.COMPLETED.name()));
        String update;
        Map<String, String> names;
        switch (encoding) {
            case ResultEncoding.Text text -> {
                update = IdempotencyExpressions.COMPLETE_TEXT_UPDATE;
                names = IdempotencyExpressions.COMPLETE_TEXT_NAMES;
                values.put(":result", AttributeValue.fromS(text.text()));
            }
            case ResultEncoding.Gzip gzip -> {
                update = IdempotencyExpressions.COMPLETE_GZIP_UPDATE;
                names = IdempotencyExpressions.COMPLETE_GZIP_NAMES;
                values.put(":resultGzip", AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(gzip.bytes())));
            }
            case ResultEncoding.Chunked chunked -> {
                update = IdempotencyExpressions.COMPLETE_CHUNKED_UPDATE;
                names = IdempotencyExpressions.COMPLETE_CHUNKED_NAMES;
                values.put(":resultChunks", AttributeValue.fromN(Integer.toString(chunked.chunks().size())));
                values.put(":resultDigest", AttributeValue.fromS(chunked.digest()));
            }
        }
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(IdempotencyItems.key(claim.recordId()))
                .conditionExpression(IdempotencyExpressions.OWN_CLAIM_CONDITION)
                .updateExpression(update)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /* Chunks share the record's retention, so none outlives it (nor dies before it). */
    List<PutItemRequest> chunkRequests(IdempotencyRecord claim, ResultEncoding.Chunked chunked) {
        List<PutItemRequest> requests = new ArrayList<>();
        for (int i = 0; i < chunked.chunks().size(); i++) {
            Map<String, AttributeValue> item = new HashMap<>(IdempotencyItems.chunkKey(claim.recordId(), i + 1));
            item.put(IdempotencyExpressions.CHUNK, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(chunked.chunks().get(i))));
            item.put(SessionTable.TTL_ATTRIBUTE, IdempotencyItems.seconds(claim.expiresAt()));
            requests.add(PutItemRequest.builder().tableName(tableName).item(item).build());
        }
        return requests;
    }

    UpdateItemRequest markUnknownRequest(IdempotencyRecord record, Instant now) {
        Map<String, AttributeValue> values = ownClaimValues(record);
        values.put(":unknown", AttributeValue.fromS(IdempotencyRecord.Status.UNKNOWN.name()));
        values.put(":unknownAt", IdempotencyItems.millis(now));
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(IdempotencyItems.key(record.recordId()))
                .conditionExpression(IdempotencyExpressions.OWN_CLAIM_CONDITION)
                .updateExpression(IdempotencyExpressions.MARK_UNKNOWN_UPDATE)
                .expressionAttributeNames(IdempotencyExpressions.MARK_UNKNOWN_NAMES)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    DeleteItemRequest releaseRequest(IdempotencyRecord claim) {
        Map<String, AttributeValue> values = ownClaimValues(claim);
        values.remove(":nextVersion");
        return DeleteItemRequest.builder()
                .tableName(tableName)
                .key(IdempotencyItems.key(claim.recordId()))
                .conditionExpression(IdempotencyExpressions.OWN_CLAIM_CONDITION)
                .expressionAttributeNames(IdempotencyExpressions.RELEASE_NAMES)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    GetItemRequest findRequest(String recordId) {
        return GetItemRequest.builder()
                .tableName(tableName)
                .key(IdempotencyItems.key(recordId))
                .consistentRead(true)
                .build();
    }

    QueryRequest chunksRequest(String recordId, int chunks) {
        return QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression(IdempotencyExpressions.CHUNKS_KEY_CONDITION)
                .expressionAttributeNames(IdempotencyExpressions.CHUNKS_NAMES)
                .expressionAttributeValues(Map.of(
                        ":pk", AttributeValue.fromS(IdempotencyItems.KIND + recordId),
                        ":firstChunk", IdempotencyItems.chunkSortKey(1),
                        ":lastChunk", IdempotencyItems.chunkSortKey(chunks)))
                .consistentRead(true)
                .build();
    }

    private static Map<String, AttributeValue> ownClaimValues(IdempotencyRecord claim) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":inProgress", AttributeValue.fromS(IdempotencyRecord.Status.IN_PROGRESS.name()));
        values.put(":expectedVersion", AttributeValue.fromN(Long.toString(claim.version())));
        values.put(":claimedAt", IdempotencyItems.millis(claim.claimedAt()));
        values.put(":nextVersion", AttributeValue.fromN(Long.toString(claim.version() + 1)));
        return values;
    }

    /** Decodes an item, fetching its chunks if its result was split. */
    IdempotencyRecord toRecord(Map<String, AttributeValue> item) {
        String recordId = IdempotencyItems.recordId(item);
        String result = null;
        AttributeValue text = item.get(IdempotencyExpressions.RESULT);
        AttributeValue gzip = item.get(IdempotencyExpressions.RESULT_GZIP);
        if (text != null) {
            result = IdempotencyItems.string(item, IdempotencyExpressions.RESULT);
        } else if (gzip != null) {
            if (gzip.b() == null) {
                throw IdempotencyItems.malformed();
            }
            result = ResultEncoding.gunzip(gzip.b().asByteArrayUnsafe());
        } else if (item.containsKey(IdempotencyExpressions.RESULT_CHUNKS)) {
            long chunks = IdempotencyItems.number(item, IdempotencyExpressions.RESULT_CHUNKS);
            if (chunks < 1 || chunks > 9999) {
                throw IdempotencyItems.malformed();
            }
            result = ResultEncoding.join(readChunks(recordId, (int) chunks),
                    IdempotencyItems.string(item, IdempotencyExpressions.RESULT_DIGEST));
        }
        return IdempotencyItems.fromItem(item, result);
    }

    private List<byte[]> readChunks(String recordId, int chunks) {
        List<byte[]> parts = new ArrayList<>(chunks);
        try {
            // Query returns items in sort-key order, and the keys are zero-padded: this is chunk order.
            for (Map<String, AttributeValue> item : dynamoDb.queryPaginator(chunksRequest(recordId, chunks)).items()) {
                AttributeValue chunk = item.get(IdempotencyExpressions.CHUNK);
                if (chunk == null || chunk.b() == null) {
                    throw IdempotencyItems.malformed();
                }
                parts.add(chunk.b().asByteArrayUnsafe());
            }
        } catch (SdkException e) {
            throw unavailable("chunk read", e);
        }
        if (parts.size() != chunks) {
            throw new StoreUnavailableException("idempotency result has " + parts.size() + " of " + chunks + " chunks", null);
        }
        return parts;
    }

    private RecordChangedException changed(ConditionalCheckFailedException e) {
        return new RecordChangedException(e.hasItem() && !e.item().isEmpty() ? toRecord(e.item()) : null);
    }

    static IdempotencyRecord next(IdempotencyRecord r, IdempotencyRecord.Status status, String result) {
        return new IdempotencyRecord(r.recordId(), r.scope(), r.fingerprint(), status, r.claimedAt(), r.leaseUntil(),
                result, r.expiresAt(), r.version() + 1);
    }

    static StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("idempotency " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
