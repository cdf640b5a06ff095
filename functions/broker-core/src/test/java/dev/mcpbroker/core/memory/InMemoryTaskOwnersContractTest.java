package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.TaskOwnersContract;
import dev.mcpbroker.core.session.TaskOwners;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryTaskOwnersContractTest extends TaskOwnersContract {

    @Override
    protected TaskOwners newOwners() {
        return new InMemoryTaskOwners();
    }
}
