package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.VirtualServerRegistryContract;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.net.URI;
import java.time.Duration;

class InMemoryVirtualServerRegistryContractTest extends VirtualServerRegistryContract {

    private final InMemoryUpstreamRegistry upstreams = new InMemoryUpstreamRegistry();
    private final InMemoryVirtualServerRegistry registry = new InMemoryVirtualServerRegistry(upstreams);

    @Override
    protected VirtualServerRegistry registry() {
        return registry;
    }

    @Override
    protected void registerUpstream(String serverId) {
        upstreams.register(new UpstreamServer(serverId, URI.create("https://" + serverId + ".example/mcp"),
                Duration.ofSeconds(1), Duration.ofSeconds(5), UpstreamAuth.NONE, ServerControls.NONE));
    }
}
