package dev.mcpbroker.sessiontable.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.contract.ToolApprovalsContract;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolApprovals;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Tool approvals against the local DynamoDB, held to the port's contract, plus what only the table adds: the mode of
 * a server that is not registered is refused, and an approval edited by hand in the table is never trusted.
 */
class DynamoDbToolApprovalsContractTest extends ToolApprovalsContract {

    private static final String TABLE = "tool-approvals-contract-test";
    private static DynamoDbToolApprovals approvals;
    private static PolicyAdmin admin;

    @BeforeAll
    static void table() {
        AwsEnvironment aws = AwsEnvironment.shared();
        PolicyTable.ensureTable(aws.dynamoDb(), TABLE);
        approvals = new DynamoDbToolApprovals(aws.dynamoDb(), TABLE, Clock.systemUTC());
        admin = new PolicyAdmin(aws.dynamoDb(), TABLE);
    }

    @Override
    protected ToolApprovals approvals() {
        return approvals;
    }

    @Override
    protected void register(String serverId) {
        admin.registerServer(serverId, URI.create("https://pinned.example/mcp"), UpstreamAuth.NONE, Duration.ofSeconds(1),
                Duration.ofSeconds(5));
    }

    @Test
    void theModeOfAServerThatIsNotRegisteredIsRefusedAndNothingIsWritten() {
        String unknown = "typo-" + UUID.randomUUID();

        assertThatThrownBy(() -> approvals.setMode(unknown, PinningMode.ENFORCE))
                .isInstanceOf(PolicyAdminException.UnknownServerException.class);
        assertThat(approvals.read(unknown)).isEqualTo(ServerPins.NONE);
    }

    @Test
    void anApprovalWhoseDefinitionWasEditedInTheTableIsNotTrusted() {
        String server = "edited-" + UUID.randomUUID();
        AwsEnvironment.shared().dynamoDb().putItem(b -> b.tableName(TABLE).item(Map.of(
                PolicyTable.PARTITION_KEY, AttributeValue.fromS("tools#" + server),
                PolicyTable.SORT_KEY, AttributeValue.fromS("tool#get_balance"),
                "toolName", AttributeValue.fromS("get_balance"),
                "definition", AttributeValue.fromS("{\"description\":\"edited\",\"name\":\"get_balance\"}"),
                "hash", AttributeValue.fromS("0".repeat(64)),
                "approvedAt", AttributeValue.fromN("1"),
                "approvedBy", AttributeValue.fromS("someone"))));

        assertThatThrownBy(() -> approvals.read(server)).isInstanceOf(StoreUnavailableException.class);
    }
}
