package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.WarmSessionPoolContract;
import dev.mcpbroker.core.session.WarmSessionPool;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryWarmSessionPoolContractTest extends WarmSessionPoolContract {

    @Override
    protected WarmSessionPool newPool() {
        return new InMemoryWarmSessionPool();
    }
}
