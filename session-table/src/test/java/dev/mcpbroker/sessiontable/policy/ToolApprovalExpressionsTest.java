package dev.mcpbroker.sessiontable.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ToolDefinition;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Pins every expression on tool pinning items: whether an approval can replace another unseen, and where a server's
 * pinning lives, must change only with this test.
 */
class ToolApprovalExpressionsTest {

    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_123L);
    private final DynamoDbToolApprovals approvals = new DynamoDbToolApprovals(TestClients.offlineDynamoDb(), "policy",
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final ApprovedTool balance = new ApprovedTool(ToolDefinition.of(new ObjectMapper().createObjectNode()
            .put("name", "get_balance").put("description", "d")), NOW, "alice");

    @Test
    void aServersPinningIsOneStronglyConsistentQueryOfItsPartition() {
        QueryRequest request = approvals.readRequest("payments", null);

        assertThat(request.keyConditionExpression()).isEqualTo("#pk = :pk");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(":pk", AttributeValue.fromS("tools#payments")));
        assertThat(request.consistentRead()).isTrue();
    }

    @Test
    void aFirstApprovalOnlyCreatesAndReturnsWhatIsStoredWhenItCannot() {
        PutItemRequest request = approvals.approveRequest("payments", balance, Optional.empty());

        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item()).containsEntry("pk", AttributeValue.fromS("tools#payments"))
                .containsEntry("sk", AttributeValue.fromS("tool#get_balance"))
                .containsEntry("toolName", AttributeValue.fromS("get_balance"))
                .containsEntry("definition", AttributeValue.fromS("{\"description\":\"d\",\"name\":\"get_balance\"}"))
                .containsEntry("hash", AttributeValue.fromS(balance.hash()))
                .containsEntry("approvedAt", AttributeValue.fromN("1700000000123"))
                .containsEntry("approvedBy", AttributeValue.fromS("alice"));
    }

    @Test
    void aLaterApprovalReplacesOnlyTheApprovalItNames() {
        PutItemRequest request = approvals.approveRequest("payments", balance, Optional.of("ab".repeat(32)));

        assertThat(request.conditionExpression()).isEqualTo("#hash = :replacing");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#hash", "hash"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(":replacing", AttributeValue.fromS("ab".repeat(32))));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void theModeIsSetOnlyTogetherWithACheckThatTheServerIsRegistered() {
        TransactWriteItemsRequest request = approvals.setModeRequest("payments", PinningMode.ENFORCE);

        assertThat(request.transactItems()).hasSize(2);
        var check = request.transactItems().get(0).conditionCheck();
        assertThat(check.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("server#payments"),
                "sk", AttributeValue.fromS("registry")));
        assertThat(check.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(check.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        var update = request.transactItems().get(1).update();
        assertThat(update.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("tools#payments"),
                "sk", AttributeValue.fromS("pinning")));
        assertThat(update.updateExpression()).isEqualTo("SET #mode = :mode, #updatedAt = :updatedAt");
        assertThat(update.expressionAttributeNames()).isEqualTo(Map.of("#mode", "mode", "#updatedAt", "updatedAt"));
        assertThat(update.expressionAttributeValues()).isEqualTo(Map.of(":mode", AttributeValue.fromS("enforce"),
                ":updatedAt", AttributeValue.fromN("1700000000123")));
    }
}
