package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link VirtualServerRegistry} in memory, beside the upstream registry it checks names and members against. A
 * definition is checked and written under one lock, as the DynamoDB adapter does it in one transaction.
 */
public final class InMemoryVirtualServerRegistry extends Availability implements VirtualServerRegistry {

    private final UpstreamRegistry upstreams;
    private final Map<String, VirtualServer> servers = new HashMap<>();

    public InMemoryVirtualServerRegistry(UpstreamRegistry upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public synchronized Optional<VirtualServer> find(String name) {
        answer("find");
        return Optional.ofNullable(servers.get(name));
    }

    @Override
    public synchronized List<VirtualServer> all() {
        answer("all");
        return List.copyOf(servers.values());
    }

    @Override
    public synchronized void define(VirtualServer server, boolean replace) {
        answer("define");
        if (upstreams.find(server.name()).isPresent()) {
            throw new VirtualServerRefusal.NameTaken(server.name());
        }
        server.members().stream().filter(member -> upstreams.find(member.serverId()).isEmpty()).findFirst()
                .ifPresent(member -> {
                    throw new VirtualServerRefusal.UnknownMember("no upstream server is registered as '"
                            + member.serverId() + "'");
                });
        boolean exists = servers.containsKey(server.name());
        if (exists && !replace) {
            throw new VirtualServerRefusal.AlreadyDefined(server.name());
        }
        if (!exists && replace) {
            throw new VirtualServerRefusal.NotDefined(server.name());
        }
        servers.put(server.name(), server);
    }

    @Override
    public synchronized void remove(String name) {
        answer("remove");
        if (servers.remove(name) == null) {
            throw new VirtualServerRefusal.NotDefined(name);
        }
    }
}
