package dev.mcpbroker.core.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One allowlist entry: the tenant an agent belongs to, the servers it may open sessions with, and its
 * rate limit. Anything not granted here is denied.
 *
 * @param agentId the agent
 * @param tenantId the tenant the agent belongs to
 * @param servers  grants by server id
 * @param rateLimit the agent's own limit, or null for the broker's default
 */
public record AgentGrant(String agentId, String tenantId, Map<String, ServerGrant> servers, RateLimit rateLimit) {

    public AgentGrant {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tenantId, "tenantId");
        servers = Map.copyOf(servers);
    }

    public Optional<ServerGrant> server(String serverId) {
        return Optional.ofNullable(servers.get(serverId));
    }

    public Optional<RateLimit> rate() {
        return Optional.ofNullable(rateLimit);
    }
}
