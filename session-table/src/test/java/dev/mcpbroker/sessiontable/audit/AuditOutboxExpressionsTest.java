package dev.mcpbroker.sessiontable.audit;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Pins every audit outbox expression and item layout: the head conditions alone decide which broker instance gets a
 * place in a session's chain, and the forwarder reads this layout, so a change must be a deliberate change here too.
 */
class AuditOutboxExpressionsTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00.500Z");
    /** NOW + 7 days, rounded up to the second. */
    private static final String EXPIRES_AT = "1894060801";
    private static final String HASH_7 = "7".repeat(64);

    private final DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(
            TestClients.offlineDynamoDb(),
            "state", DynamoDbAuditOutbox.DEFAULT_RETENTION, Clock.fixed(NOW, ZoneOffset.UTC));
    private final AuditChain chain = new AuditChain();

    private static AuditEvent event(String sessionId) {
        return AuditEvent.builder(AuditEvent.Kind.INTENT).eventId("e-1").time(NOW).agentId("agent-a")
                .tenantId("tenant-1").sessionId(sessionId).serverId("payments").method("tools/call").tool("transfer")
                .build();
    }

    private static Instant expiresAt() {
        return Instant.ofEpochSecond(Long.parseLong(EXPIRES_AT));
    }

    @Test
    void theFirstAppendCreatesTheHeadAndPutsEventOne() {
        AuditEvent first = chain.first(event("s-1"));
        TransactWriteItemsRequest request = outbox.appendRequest(first, ChainHeads.Head.ABSENT, expiresAt());
        assertThat(request.transactItems()).hasSize(2);

        Update head = request.transactItems().get(0).update();
        assertThat(head.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("audit#s-1"), "sk", AttributeValue.fromS("head")));
        assertThat(head.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(head.updateExpression()).isEqualTo("SET #seq = :next, #hash = :hash, #expiresAt = :expiresAt");
        assertThat(head.expressionAttributeNames())
                .isEqualTo(Map.of("#pk", "pk", "#seq", "seq", "#hash", "hash", "#expiresAt", "expiresAt"));
        assertThat(head.expressionAttributeValues()).isEqualTo(Map.of(
                ":next", AttributeValue.fromN("1"),
                ":hash", AttributeValue.fromS(first.hash()),
                ":expiresAt", AttributeValue.fromN(EXPIRES_AT)));
        assertThat(head.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(head.tableName()).isEqualTo("state");

        eventPut(request.transactItems().get(1).put(), first, "audit#s-1", "event#000000000001");
    }

    @Test
    void laterAppendsAdvanceTheHeadOnlyFromTheSeqTheEventWasChainedOn() {
        AuditEvent eighth = chain.link(event("s-1"), 8, HASH_7);
        TransactWriteItemsRequest request = outbox.appendRequest(eighth, new ChainHeads.Head(7, HASH_7, true), expiresAt());

        Update head = request.transactItems().get(0).update();
        assertThat(head.conditionExpression()).isEqualTo("#seq = :expectedSeq");
        assertThat(head.updateExpression()).isEqualTo("SET #seq = :next, #hash = :hash, #expiresAt = :expiresAt");
        assertThat(head.expressionAttributeNames()).isEqualTo(Map.of("#seq", "seq", "#hash", "hash", "#expiresAt", "expiresAt"));
        assertThat(head.expressionAttributeValues()).isEqualTo(Map.of(
                ":expectedSeq", AttributeValue.fromN("7"),
                ":next", AttributeValue.fromN("8"),
                ":hash", AttributeValue.fromS(eighth.hash()),
                ":expiresAt", AttributeValue.fromN(EXPIRES_AT)));
        assertThat(head.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);

        eventPut(request.transactItems().get(1).put(), eighth, "audit#s-1", "event#000000000008");
    }

    @Test
    void resumingAfterALostHeadRecreatesItAtTheResumedPosition() {
        AuditEvent eighth = chain.link(event("s-1"), 8, HASH_7);
        Update head = outbox.appendRequest(eighth, new ChainHeads.Head(7, HASH_7, false), expiresAt())
                .transactItems().get(0).update();
        assertThat(head.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(head.expressionAttributeValues()).doesNotContainKey(":expectedSeq");
        assertThat(head.expressionAttributeValues()).containsEntry(":next", AttributeValue.fromN("8"));
    }

    private static void eventPut(Put put, AuditEvent chained, String pk, String sk) {
        assertThat(put.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(put.expressionAttributeValues()).isNullOrEmpty();
        assertThat(put.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(put.tableName()).isEqualTo("state");
        assertThat(put.item()).isEqualTo(Map.of(
                "pk", AttributeValue.fromS(pk),
                "sk", AttributeValue.fromS(sk),
                "event", AttributeValue.fromS(new String(new AuditEventCodec().encode(chained), StandardCharsets.UTF_8)),
                "delivered", AttributeValue.fromBool(false),
                "eventId", AttributeValue.fromS("e-1"),
                "expiresAt", AttributeValue.fromN(EXPIRES_AT),
                "undeliveredChain", AttributeValue.fromS(pk)));
    }

    @Test
    void theStoredJsonIsTheCanonicalRecordTheForwarderPublishes() {
        AuditEvent first = chain.first(event("s-1"));
        String json = outbox.eventItem(first, expiresAt()).get("event").s();
        assertThat(json).startsWith("{\"agentId\":\"agent-a\",").contains("\"sessionSeq\":1,")
                .contains("\"hash\":\"" + first.hash() + "\"");
        assertThat(new AuditEventCodec().decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(first);
    }

    @Test
    void anEventWithoutASessionIsOneConditionalPutWithoutAHead() {
        AuditEvent alone = chain.first(event(null));
        PutItemRequest request = outbox.aloneRequest(alone, expiresAt());
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item().get("pk").s()).isEqualTo("audit#no-session:e-1");
        assertThat(request.item().get("sk").s()).isEqualTo("event#000000000001");
        assertThat(request.item().get("delivered").bool()).isFalse();
        assertThat(request.item().get("undeliveredChain").s()).isEqualTo("audit#no-session:e-1");
        assertThat(request.item().get("expiresAt").n()).isEqualTo(EXPIRES_AT);
    }

    @Test
    void markDeliveredSetsTheFlagOnlyOnTheStoredEventItself() {
        UpdateItemRequest request = outbox.markDeliveredRequest(chain.link(event("s-1"), 8, HASH_7));
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("audit#s-1"), "sk", AttributeValue.fromS("event#000000000008")));
        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#pk) AND #eventId = :eventId");
        assertThat(request.updateExpression()).isEqualTo("SET #delivered = :true REMOVE #undelivered");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#eventId", "eventId", "#delivered", "delivered",
                "#undelivered", "undeliveredChain"));
        assertThat(request.expressionAttributeValues())
                .isEqualTo(Map.of(":eventId", AttributeValue.fromS("e-1"), ":true", AttributeValue.fromBool(true)));
    }

    @Test
    void undeliveredReadsTheChainsEventsConsistentlyInSequenceOrder() {
        QueryRequest request = outbox.undeliveredRequest("s-1", 10);
        assertThat(request.keyConditionExpression()).isEqualTo("#pk = :pk AND begins_with(#sk, :eventPrefix)");
        assertThat(request.filterExpression()).isEqualTo("#delivered = :false");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#sk", "sk", "#delivered", "delivered"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(
                ":pk", AttributeValue.fromS("audit#s-1"),
                ":eventPrefix", AttributeValue.fromS("event#"),
                ":false", AttributeValue.fromBool(false)));
        assertThat(request.consistentRead()).isTrue();
        assertThat(request.scanIndexForward()).as("ascending, the default").isNull();
        assertThat(request.limit()).as("a page size: Limit applies before the filter").isEqualTo(100);
        assertThat(outbox.undeliveredRequest("s-1", 500).limit()).isEqualTo(500);
    }

    @Test
    void theBacklogScansOnlyTheSparseIndexOfUndeliveredEventsForTheirChains() {
        ScanRequest request = new DynamoDbAuditBacklog(TestClients.offlineDynamoDb(), "state").backlogRequest();
        assertThat(request.tableName()).isEqualTo("state");
        assertThat(request.indexName()).isEqualTo("audit-undelivered");
        assertThat(request.projectionExpression()).isEqualTo("#undelivered");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#undelivered", "undeliveredChain"));
        assertThat(request.filterExpression()).as("the index holds undelivered events only").isNull();
    }

    @Test
    void theStateTableHasTheKeysOnlyIndexOfUndeliveredEventsAndThePolicyTableHasNoIndex() {
        var state = dev.mcpbroker.sessiontable.SessionTable.createTableRequest("state");
        assertThat(state.globalSecondaryIndexes()).singleElement().satisfies(index -> {
            assertThat(index.indexName()).isEqualTo("audit-undelivered");
            assertThat(index.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyTypeAsString())
                    .containsExactly("undeliveredChain:HASH", "sk:RANGE");
            assertThat(index.projection().projectionTypeAsString()).isEqualTo("KEYS_ONLY");
        });
        assertThat(state.attributeDefinitions()).extracting(a -> a.attributeName() + ":" + a.attributeTypeAsString())
                .containsExactlyInAnyOrder("pk:S", "sk:S", "undeliveredChain:S");
        assertThat(dev.mcpbroker.sessiontable.policy.PolicyTable.createTableRequest("policy").globalSecondaryIndexes()).isEmpty();
    }

    @Test
    void chainHeadsAreScannedForHeadItemsOfAuditPartitionsOnly() {
        ScanRequest request = new DynamoDbAuditChainHeads(TestClients.offlineDynamoDb(), "state", Duration.ofDays(7)).headsRequest();
        assertThat(request.tableName()).isEqualTo("state");
        assertThat(request.indexName()).isNull();
        assertThat(request.filterExpression()).isEqualTo("#sk = :head AND begins_with(#pk, :audit)");
        assertThat(request.projectionExpression()).isEqualTo("#pk, #seq, #expiresAt");
        assertThat(request.expressionAttributeNames())
                .isEqualTo(Map.of("#pk", "pk", "#sk", "sk", "#seq", "seq", "#expiresAt", "expiresAt"));
        assertThat(request.expressionAttributeValues())
                .isEqualTo(Map.of(":head", AttributeValue.fromS("head"), ":audit", AttributeValue.fromS("audit#")));
    }

    @Test
    void sortKeysAreZeroPaddedSoThatSortKeyOrderIsSequenceOrder() {
        assertThat(AuditOutboxRequests.eventSortKey(1).s()).isEqualTo("event#000000000001");
        assertThat(AuditOutboxRequests.eventSortKey(DynamoDbAuditOutbox.MAX_SEQ).s()).isEqualTo("event#999999999999");
        assertThat(AuditOutboxRequests.eventSortKey(9).s()).isLessThan(AuditOutboxRequests.eventSortKey(10).s());
    }

    @Test
    void retransmissionsOfOneAppendAreIdempotent() {
        // The SDK's retries resend the same request, token included, so a retried commit is not applied twice.
        AuditEvent first = chain.first(event("s-1"));
        TransactWriteItemsRequest request = outbox.appendRequest(first, ChainHeads.Head.ABSENT, expiresAt());
        assertThat(request.clientRequestToken()).isNotBlank();
        assertThat(outbox.appendRequest(first, ChainHeads.Head.ABSENT, expiresAt()).clientRequestToken())
                .as("a new attempt is a new transaction").isNotEqualTo(request.clientRequestToken());
    }

    @Test
    void retentionDefaultsToSevenDaysAndMayNotBeShorterThanTheStreamsWindow() {
        assertThat(DynamoDbAuditOutbox.DEFAULT_RETENTION).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> new DynamoDbAuditOutbox(TestClients.offlineDynamoDb(),
                "state", Duration.ofHours(23), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
