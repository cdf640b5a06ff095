package dev.mcpbroker.sessiontable.lease;

import dev.mcpbroker.core.contract.WarmSessionPoolContract;
import dev.mcpbroker.core.session.WarmSessionPool;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import org.junit.jupiter.api.BeforeAll;

/** The warm pool against the local DynamoDB, held to the port's contract. */
class DynamoDbWarmSessionPoolContractTest extends WarmSessionPoolContract {

    private static final String TABLE = "warm-pool-contract-test";
    private static AwsEnvironment aws;

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
    }

    @Override
    protected WarmSessionPool newPool() {
        return new DynamoDbWarmSessionPool(aws.dynamoDb(), TABLE);
    }
}
