package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.PolicyStore;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link PolicyStore} in memory, written the way an administrator writes the policy table. */
public final class InMemoryPolicyStore extends Availability implements PolicyStore {

    private final Map<String, AgentGrant> agents = new HashMap<>();
    private final Map<String, RateLimit> tenantLimits = new HashMap<>();

    /** Adds (or replaces) the agent's grant of one server; the agent's tenant is set by its first grant. */
    public synchronized InMemoryPolicyStore grant(String agentId, String tenantId, ServerGrant grant) {
        AgentGrant current = agents.get(agentId);
        Map<String, ServerGrant> servers = new HashMap<>(current == null ? Map.of() : current.servers());
        servers.put(grant.serverId(), grant);
        agents.put(agentId, new AgentGrant(agentId, current == null ? tenantId : current.tenantId(), servers,
                current == null ? null : current.rateLimit()));
        return this;
    }

    public synchronized InMemoryPolicyStore revoke(String agentId, String serverId) {
        AgentGrant current = agents.get(agentId);
        if (current != null) {
            Map<String, ServerGrant> servers = new HashMap<>(current.servers());
            servers.remove(serverId);
            agents.put(agentId, new AgentGrant(agentId, current.tenantId(), servers, current.rateLimit()));
        }
        return this;
    }

    public synchronized InMemoryPolicyStore agentRate(String agentId, RateLimit limit) {
        AgentGrant current = agents.get(agentId);
        if (current == null) {
            throw new IllegalArgumentException("grant the agent a server first");
        }
        agents.put(agentId, new AgentGrant(agentId, current.tenantId(), current.servers(), limit));
        return this;
    }

    public synchronized InMemoryPolicyStore tenantRate(String tenantId, RateLimit limit) {
        tenantLimits.put(tenantId, limit);
        return this;
    }

    @Override
    public synchronized Optional<AgentGrant> agent(String agentId) {
        answer("agent");
        return Optional.ofNullable(agents.get(agentId));
    }

    @Override
    public synchronized Optional<RateLimit> tenantRateLimit(String tenantId) {
        answer("tenant");
        return Optional.ofNullable(tenantLimits.get(tenantId));
    }
}
