package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.UpstreamRegistryContract;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;

/** The in-memory adapter held to the same contract as the DynamoDB one, written through its own register method. */
class InMemoryUpstreamRegistryContractTest extends UpstreamRegistryContract {

    private final InMemoryUpstreamRegistry registry = new InMemoryUpstreamRegistry();

    @Override
    protected UpstreamRegistry registry() {
        return registry;
    }

    @Override
    protected void register(UpstreamServer server) {
        registry.register(server);
    }
}
