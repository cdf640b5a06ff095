package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.PolicyStoreContract;
import dev.mcpbroker.core.policy.PolicyStore;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;

/** The in-memory adapter held to the same contract as the DynamoDB one, written through its own admin methods. */
class InMemoryPolicyStoreContractTest extends PolicyStoreContract {

    private final InMemoryPolicyStore store = new InMemoryPolicyStore();

    @Override
    protected PolicyStore store() {
        return store;
    }

    @Override
    protected void grant(String agentId, String tenantId, ServerGrant grant) {
        store.grant(agentId, tenantId, grant);
    }

    @Override
    protected void revoke(String agentId, String serverId) {
        store.revoke(agentId, serverId);
    }

    @Override
    protected void setAgentRate(String agentId, RateLimit limit) {
        store.agentRate(agentId, limit);
    }

    @Override
    protected void setTenantRate(String tenantId, RateLimit limit) {
        store.tenantRate(tenantId, limit);
    }
}
