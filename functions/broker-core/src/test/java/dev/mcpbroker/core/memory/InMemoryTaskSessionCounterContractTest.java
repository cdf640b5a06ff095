package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.TaskSessionCounterContract;
import dev.mcpbroker.core.session.TaskSessionCounter;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryTaskSessionCounterContractTest extends TaskSessionCounterContract {

    @Override
    protected TaskSessionCounter newCounter() {
        return new InMemoryTaskSessionCounter();
    }
}
