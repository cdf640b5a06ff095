package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.SessionStoreContract;
import dev.mcpbroker.core.session.SessionStore;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemorySessionStoreContractTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return new InMemorySessionStore();
    }
}
