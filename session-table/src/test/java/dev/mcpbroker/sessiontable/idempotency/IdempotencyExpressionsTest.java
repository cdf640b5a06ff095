package dev.mcpbroker.sessiontable.idempotency;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Pins every idempotency expression and item layout: a change here changes which broker instance wins a
 * key, or whether a late holder can overwrite an unknown outcome, so it must be a deliberate change here too.
 */
class IdempotencyExpressionsTest {

    private static final IdempotencyScope SCOPE = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer", "k-1");
    private static final String ID = SCOPE.recordId();
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00.123456Z");

    private final DynamoDbIdempotencyStore store = new DynamoDbIdempotencyStore(
            TestClients.offlineDynamoDb(),
            "state", 8);

    private static IdempotencyRecord claim() {
        return DynamoDbIdempotencyStore.newClaim(SCOPE, "fp", NOW, Duration.ofSeconds(30), Duration.ofHours(24));
    }

    private static void ownClaimCondition(Map<String, AttributeValue> values) {
        assertThat(values).containsEntry(":inProgress", AttributeValue.fromS("IN_PROGRESS"))
                .containsEntry(":expectedVersion", AttributeValue.fromN("1"))
                .containsEntry(":claimedAt", AttributeValue.fromN("1893456000123"));
    }

    @Test
    void aNewClaimIsTruncatedToWhatIsStored() {
        IdempotencyRecord claim = claim();
        assertThat(claim.claimedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00.123Z"));
        assertThat(claim.leaseUntil()).isEqualTo(Instant.parse("2030-01-01T00:00:30.123Z"));
        assertThat(claim.expiresAt()).as("rounded up to the second").isEqualTo(Instant.parse("2030-01-02T00:00:01Z"));
        assertThat(claim.version()).isEqualTo(1);
    }

    @Test
    void claimTakesAFreeOrExpiredKeyAndReturnsTheExistingRecordOtherwise() {
        PutItemRequest request = store.claimRequest(claim(), NOW);
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk) OR #expiresAt <= :now");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#expiresAt", "expiresAt"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(":now", AttributeValue.fromN("1893456000")));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item()).isEqualTo(Map.ofEntries(
                Map.entry("pk", AttributeValue.fromS("idempotency#" + ID)),
                Map.entry("sk", AttributeValue.fromS("record")),
                Map.entry("tenantId", AttributeValue.fromS("tenant-1")),
                Map.entry("agentId", AttributeValue.fromS("agent-a")),
                Map.entry("serverId", AttributeValue.fromS("payments")),
                Map.entry("tool", AttributeValue.fromS("transfer")),
                Map.entry("key", AttributeValue.fromS("k-1")),
                Map.entry("fingerprint", AttributeValue.fromS("fp")),
                Map.entry("status", AttributeValue.fromS("IN_PROGRESS")),
                Map.entry("claimedAt", AttributeValue.fromN("1893456000123")),
                Map.entry("leaseUntil", AttributeValue.fromN("1893456030123")),
                Map.entry("version", AttributeValue.fromN("1")),
                Map.entry("expiresAt", AttributeValue.fromN("1893542401"))));
    }

    @Test
    void completeWithASmallResultStoresItAsText() {
        UpdateItemRequest request = store.completeRequest(claim(), ResultEncoding.of("{\"ok\":1}", 8));
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("idempotency#" + ID), "sk", AttributeValue.fromS("record")));
        assertThat(request.conditionExpression()).isEqualTo("#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt");
        assertThat(request.updateExpression()).isEqualTo("SET #status = :completed, #result = :result, #version = :nextVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of(
                "#status", "status", "#version", "version", "#claimedAt", "claimedAt", "#result", "result"));
        ownClaimCondition(request.expressionAttributeValues());
        assertThat(request.expressionAttributeValues()).hasSize(6)
                .containsEntry(":completed", AttributeValue.fromS("COMPLETED"))
                .containsEntry(":nextVersion", AttributeValue.fromN("2"))
                .containsEntry(":result", AttributeValue.fromS("{\"ok\":1}"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.returnValues()).as("the result is not sent back").isNull();
    }

    @Test
    void completeWithAResultThatFitsGzippedStoresItGzipped() {
        // compresses far below the limit, so only the real limit leaves it gzipped rather than chunked
        DynamoDbIdempotencyStore real = new DynamoDbIdempotencyStore(TestClients.offlineDynamoDb(), "state");
        String big = "{\"rows\":\"" + "a".repeat(400 * 1024) + "\"}";
        ResultEncoding encoding = ResultEncoding.of(big, ResultEncoding.DEFAULT_LIMIT_BYTES);
        assertThat(encoding).isInstanceOf(ResultEncoding.Gzip.class);
        UpdateItemRequest request = real.completeRequest(claim(), encoding);
        assertThat(request.conditionExpression()).isEqualTo("#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt");
        assertThat(request.updateExpression()).isEqualTo("SET #status = :completed, #resultGzip = :resultGzip, #version = :nextVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of(
                "#status", "status", "#version", "version", "#claimedAt", "claimedAt", "#resultGzip", "resultGzip"));
        ownClaimCondition(request.expressionAttributeValues());
        assertThat(request.expressionAttributeValues()).hasSize(6).containsKey(":resultGzip");
        assertThat(ResultEncoding.gunzip(request.expressionAttributeValues().get(":resultGzip").b().asByteArray())).isEqualTo(big);
    }

    @Test
    void completeWithAChunkedResultNamesTheChunksWrittenBeforeIt() {
        String result = "{\"text\":\"0123456789abcdefghijklmnopqrstuvwxyz\"}";
        ResultEncoding.Chunked chunked = (ResultEncoding.Chunked) ResultEncoding.of(result, 8);
        int n = chunked.chunks().size();
        assertThat(n).isGreaterThan(1);

        UpdateItemRequest request = store.completeRequest(claim(), chunked);
        assertThat(request.conditionExpression()).isEqualTo("#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt");
        assertThat(request.updateExpression()).isEqualTo(
                "SET #status = :completed, #resultChunks = :resultChunks, #resultDigest = :resultDigest, #version = :nextVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of(
                "#status", "status", "#version", "version", "#claimedAt", "claimedAt",
                "#resultChunks", "resultChunks", "#resultDigest", "resultDigest"));
        ownClaimCondition(request.expressionAttributeValues());
        assertThat(request.expressionAttributeValues()).hasSize(7)
                .containsEntry(":resultChunks", AttributeValue.fromN(Integer.toString(n)))
                .containsEntry(":resultDigest", AttributeValue.fromS(chunked.digest()));

        List<PutItemRequest> chunks = store.chunkRequests(claim(), chunked);
        assertThat(chunks).hasSize(n);
        for (int i = 0; i < n; i++) {
            PutItemRequest chunk = chunks.get(i);
            assertThat(chunk.conditionExpression()).as("chunks are invisible until named").isNull();
            assertThat(chunk.item()).containsOnlyKeys("pk", "sk", "chunk", "expiresAt")
                    .containsEntry("pk", AttributeValue.fromS("idempotency#" + ID))
                    .containsEntry("sk", AttributeValue.fromS(String.format("result#%04d", i + 1)))
                    .containsEntry("expiresAt", AttributeValue.fromN("1893542401"));
            assertThat(chunk.item().get("chunk").b().asByteArray()).isEqualTo(chunked.chunks().get(i));
        }
        assertThat(ResultEncoding.join(chunked.chunks(), chunked.digest())).isEqualTo(result);
    }

    @Test
    void markUnknownOnlyFromTheClaimAsRead() {
        UpdateItemRequest request = store.markUnknownRequest(claim(), Instant.ofEpochMilli(1893456031000L));
        assertThat(request.conditionExpression()).isEqualTo("#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt");
        assertThat(request.updateExpression()).isEqualTo("SET #status = :unknown, #unknownAt = :unknownAt, #version = :nextVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of(
                "#status", "status", "#version", "version", "#claimedAt", "claimedAt", "#unknownAt", "unknownAt"));
        ownClaimCondition(request.expressionAttributeValues());
        assertThat(request.expressionAttributeValues()).hasSize(6)
                .containsEntry(":unknown", AttributeValue.fromS("UNKNOWN"))
                .containsEntry(":unknownAt", AttributeValue.fromN("1893456031000"))
                .containsEntry(":nextVersion", AttributeValue.fromN("2"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.returnValues()).isNotEqualTo(ReturnValue.ALL_NEW);
    }

    @Test
    void releaseDeletesOnlyTheCallersOwnClaim() {
        DeleteItemRequest request = store.releaseRequest(claim());
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("idempotency#" + ID), "sk", AttributeValue.fromS("record")));
        assertThat(request.conditionExpression()).isEqualTo("#status = :inProgress AND #version = :expectedVersion AND #claimedAt = :claimedAt");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#status", "status", "#version", "version", "#claimedAt", "claimedAt"));
        assertThat(request.expressionAttributeValues()).hasSize(3);
        ownClaimCondition(request.expressionAttributeValues());
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void readsAreStronglyConsistentAndFetchExactlyTheNamedChunks() {
        GetItemRequest find = store.findRequest(ID);
        assertThat(find.consistentRead()).isTrue();
        assertThat(find.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("idempotency#" + ID), "sk", AttributeValue.fromS("record")));

        QueryRequest chunks = store.chunksRequest(ID, 12);
        assertThat(chunks.consistentRead()).isTrue();
        assertThat(chunks.keyConditionExpression()).isEqualTo("#pk = :pk AND #sk BETWEEN :firstChunk AND :lastChunk");
        assertThat(chunks.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#sk", "sk"));
        assertThat(chunks.expressionAttributeValues()).isEqualTo(Map.of(
                ":pk", AttributeValue.fromS("idempotency#" + ID),
                ":firstChunk", AttributeValue.fromS("result#0001"),
                ":lastChunk", AttributeValue.fromS("result#0012")));
    }

    @Test
    void resultsAreStoredInTheSmallestFormThatFits() {
        assertThat(ResultEncoding.of("x".repeat(300 * 1024), ResultEncoding.DEFAULT_LIMIT_BYTES)).isInstanceOf(ResultEncoding.Text.class);
        // multi-byte characters count as their UTF-8 bytes
        assertThat(ResultEncoding.of("é".repeat(200 * 1024), ResultEncoding.DEFAULT_LIMIT_BYTES)).isInstanceOf(ResultEncoding.Gzip.class);
    }
}
