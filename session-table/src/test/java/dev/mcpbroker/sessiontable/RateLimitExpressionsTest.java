package dev.mcpbroker.sessiontable;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Pins the rate-limit bucket conditions: they are all that stops two broker instances from admitting the
 * same token.
 */
class RateLimitExpressionsTest {

    private final DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(
            TestClients.offlineDynamoDb(),
            "state");

    @Test
    void newBucketIsCreatedOnlyIfNoneExists() {
        PutItemRequest request = limiter.acquireRequest("agent:a1",
                new DynamoDbRateLimiter.Bucket(0, 0), new DynamoDbRateLimiter.Bucket(1_700_000_000_500_000L, 1));
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.hasExpressionAttributeValues()).isFalse();
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item()).isEqualTo(Map.of(
                "pk", AttributeValue.fromS("ratelimit#agent:a1"),
                "sk", AttributeValue.fromS("bucket"),
                "tat", AttributeValue.fromN("1700000000500000"),
                "version", AttributeValue.fromN("1"),
                // tat rounded up to the second, plus the clock-skew margin
                "expiresAt", AttributeValue.fromN("1700000061")));
    }

    @Test
    void bucketAdvancesOnlyFromTheStateTheDecisionWasComputedFrom() {
        PutItemRequest request = limiter.acquireRequest("agent:a1",
                new DynamoDbRateLimiter.Bucket(1_000_000L, 4), new DynamoDbRateLimiter.Bucket(2_000_000L, 5));
        assertThat(request.conditionExpression()).isEqualTo("#tat = :expectedTat AND #version = :expectedVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#tat", "tat", "#version", "version"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(
                ":expectedTat", AttributeValue.fromN("1000000"),
                ":expectedVersion", AttributeValue.fromN("4")));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item().get("tat").n()).isEqualTo("2000000");
        assertThat(request.item().get("version").n()).isEqualTo("5");
        assertThat(request.item().get(SessionTable.TTL_ATTRIBUTE).n()).isEqualTo("62");
    }
}
