package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** DynamoDB of the shared environment, driven by the real SDK client. */
class DynamoDbLocalTest {

    private static final String TABLE = "testkit-" + UUID.randomUUID();
    private final DynamoDbClient dynamoDb = AwsEnvironment.shared().dynamoDb();

    @BeforeAll
    static void createTable() {
        AwsEnvironment.shared().dynamoDb().createTable(b -> b.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        AwsEnvironment.shared().dynamoDb().waiter().waitUntilTableExists(b -> b.tableName(TABLE));
    }

    private static Map<String, AttributeValue> item(String pk, String value) {
        return Map.of("pk", AttributeValue.fromS(pk), "value", AttributeValue.fromS(value));
    }

    @Test
    void conditionalPutOfAnExistingKeyThrowsConditionalCheckFailed() {
        String pk = UUID.randomUUID().toString();
        dynamoDb.putItem(b -> b.tableName(TABLE).item(item(pk, "first")).conditionExpression("attribute_not_exists(pk)"));

        assertThatThrownBy(() -> dynamoDb.putItem(b -> b.tableName(TABLE).item(item(pk, "second"))
                .conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(dynamoDb.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(pk))).consistentRead(true))
                .item().get("value").s()).isEqualTo("first");
    }

    @Test
    void transactionWithAFailingConditionIsCancelledWithItsReason() {
        String existing = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();
        dynamoDb.putItem(b -> b.tableName(TABLE).item(item(existing, "v")));

        assertThatThrownBy(() -> dynamoDb.transactWriteItems(b -> b.transactItems(
                t -> t.put(p -> p.tableName(TABLE).item(item(fresh, "v")).conditionExpression("attribute_not_exists(pk)")),
                t -> t.put(p -> p.tableName(TABLE).item(item(existing, "w")).conditionExpression("attribute_not_exists(pk)")))))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> assertThat(e.cancellationReasons())
                        .extracting(reason -> reason.code())
                        .containsExactly("None", "ConditionalCheckFailed"));
        assertThat(dynamoDb.getItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(fresh)))).hasItem()).isFalse();
    }
}
