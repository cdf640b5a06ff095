package dev.mcpbroker.sessiontable.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/** Pins the writes of virtual server definitions: one transaction of a conditional put and a check per name. */
class VirtualServerExpressionsTest {

    private final DynamoDbVirtualServerRegistry registry = new DynamoDbVirtualServerRegistry(TestClients.offlineDynamoDb(),
            "policy", Clock.fixed(Instant.ofEpochMilli(1_700_000_000_123L), ZoneOffset.UTC));
    private final VirtualServer finance = new VirtualServer("finance", List.of(
            new VirtualMember("payments", "pay", List.of("get_*"), null, List.of()),
            VirtualMember.of("ledger", "led")));

    @Test
    void aDefinitionNeverOverwritesOneAndChecksTheNameAndEveryMemberInOneTransaction() {
        TransactWriteItemsRequest request = registry.defineRequest(finance, false);

        assertThat(request.transactItems()).hasSize(4);
        Put put = request.transactItems().get(0).put();
        assertThat(put.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(put.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(put.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(put.item()).containsEntry("pk", AttributeValue.fromS("virtual#finance"))
                .containsEntry("sk", AttributeValue.fromS("virtual"))
                .containsEntry("updatedAt", AttributeValue.fromN("1700000000123"));
        assertThat(put.item().get("members").l().get(0).m()).isEqualTo(Map.of(
                "server", AttributeValue.fromS("payments"),
                "prefix", AttributeValue.fromS("pay"),
                "tools", AttributeValue.fromL(List.of(AttributeValue.fromS("get_*"))),
                "prompts", AttributeValue.fromL(List.of())));
        ConditionCheck nameFree = request.transactItems().get(1).conditionCheck();
        assertThat(nameFree.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("server#finance"), "sk", AttributeValue.fromS("registry")));
        assertThat(nameFree.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(nameFree.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.transactItems().subList(2, 4)).allSatisfy(item -> {
            assertThat(item.conditionCheck().conditionExpression()).isEqualTo("attribute_exists(#pk)");
            assertThat(item.conditionCheck().expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
            assertThat(item.conditionCheck().returnValuesOnConditionCheckFailure())
                    .isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        });
        assertThat(request.transactItems().get(3).conditionCheck().key().get("pk").s()).isEqualTo("server#ledger");
    }

    @Test
    void aReplacementReplacesOnlyADefinitionThatExists() {
        assertThat(registry.defineRequest(finance, true).transactItems().get(0).put().conditionExpression())
                .isEqualTo("attribute_exists(#pk)");
    }

    @Test
    void aRemovalRemovesADefinitionThatExists() {
        DeleteItemRequest request = registry.removeRequest("finance");

        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("virtual#finance"), "sk", AttributeValue.fromS("virtual")));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void readsAreStronglyConsistentAndAnItemReadsBackAsWritten() {
        assertThat(registry.findRequest("finance").consistentRead()).isTrue();
        assertThat(VirtualServerItems.fromItem(VirtualServerItems.item(finance, Instant.EPOCH))).isEqualTo(finance);
    }
}
