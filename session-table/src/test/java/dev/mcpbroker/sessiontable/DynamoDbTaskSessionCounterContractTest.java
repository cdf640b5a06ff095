package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.contract.TaskSessionCounterContract;
import dev.mcpbroker.core.session.TaskSessionCounter;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import org.junit.jupiter.api.BeforeAll;

/** The task session counter against the local DynamoDB, held to the port's contract. */
class DynamoDbTaskSessionCounterContractTest extends TaskSessionCounterContract {

    private static final String TABLE = "task-counter-contract-test";
    private static AwsEnvironment aws;

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
    }

    @Override
    protected TaskSessionCounter newCounter() {
        return new DynamoDbTaskSessionCounter(aws.dynamoDb(), TABLE);
    }
}
