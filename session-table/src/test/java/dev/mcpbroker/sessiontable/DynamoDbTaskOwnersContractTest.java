package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.contract.TaskOwnersContract;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.TaskOwners;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/** Task owners against the local DynamoDB, held to the port's contract, and the condition that keeps the first owner. */
class DynamoDbTaskOwnersContractTest extends TaskOwnersContract {

    private static final String TABLE = "task-owners-contract-test";
    private static AwsEnvironment aws;

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
    }

    @Override
    protected TaskOwners newOwners() {
        return new DynamoDbTaskOwners(aws.dynamoDb(), TABLE);
    }

    @Test
    void recordingIsAPutThatNeverOverwritesAnOwner() {
        PutItemRequest request = new DynamoDbTaskOwners(TestClients.offlineDynamoDb(), TABLE)
                .recordRequest("payments", "task-1", new SessionOwner("agent-a", "t1", null), Instant.ofEpochSecond(1000));

        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item().get("pk").s()).isEqualTo("taskowner#8:payments#task-1");
        assertThat(request.item().get("expiresAt").n()).isEqualTo("1000");
    }
}
