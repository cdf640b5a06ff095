package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link UpstreamRegistry} in memory; {@link #register} replaces a server's entry (kill switches, policies). */
public final class InMemoryUpstreamRegistry extends Availability implements UpstreamRegistry {

    private final Map<String, UpstreamServer> servers = new ConcurrentHashMap<>();

    public InMemoryUpstreamRegistry register(UpstreamServer server) {
        servers.put(server.id(), server);
        return this;
    }

    public List<UpstreamServer> all() {
        return List.copyOf(servers.values());
    }

    @Override
    public Optional<UpstreamServer> find(String serverId) {
        answer("find");
        return Optional.ofNullable(servers.get(serverId));
    }
}
