package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.contract.PolicyStoreContract;
import dev.mcpbroker.core.policy.PolicyStore;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import org.junit.jupiter.api.BeforeAll;

/** The policy store against the local DynamoDB, held to the port's contract; written through {@link PolicyAdmin}. */
class DynamoDbPolicyStoreContractTest extends PolicyStoreContract {

    private static final String TABLE = "policy-store-contract-test";
    private static PolicyAdmin admin;
    private static DynamoDbPolicyStore store;

    @BeforeAll
    static void table() {
        AwsEnvironment aws = AwsEnvironment.shared();
        PolicyTable.ensureTable(aws.dynamoDb(), TABLE);
        admin = new PolicyAdmin(aws.dynamoDb(), TABLE);
        store = new DynamoDbPolicyStore(aws.dynamoDb(), TABLE);
    }

    @Override
    protected PolicyStore store() {
        return store;
    }

    @Override
    protected void grant(String agentId, String tenantId, ServerGrant grant) {
        admin.grant(agentId, tenantId, grant);
    }

    @Override
    protected void revoke(String agentId, String serverId) {
        admin.revoke(agentId, serverId);
    }

    @Override
    protected void setAgentRate(String agentId, RateLimit limit) {
        admin.setAgentRate(agentId, limit);
    }

    @Override
    protected void setTenantRate(String tenantId, RateLimit limit) {
        admin.setTenantRate(tenantId, limit);
    }
}
