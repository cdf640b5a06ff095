package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.IdempotencyStoreContract;
import dev.mcpbroker.core.idempotency.IdempotencyStore;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryIdempotencyStoreContractTest extends IdempotencyStoreContract {

    @Override
    protected IdempotencyStore newStore() {
        return new InMemoryIdempotencyStore();
    }
}
