package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.LeaseStoreContract;
import dev.mcpbroker.core.capacity.LeaseStore;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryLeaseStoreContractTest extends LeaseStoreContract {

    @Override
    protected LeaseStore newStore() {
        return new InMemoryLeaseStore();
    }
}
