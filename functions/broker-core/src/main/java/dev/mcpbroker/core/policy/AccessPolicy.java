package dev.mcpbroker.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Who may call what. Deny by default: an agent without an allowlist entry, a server or tool it was not
 * granted, and anything switched off are refused before the upstream is contacted. Grants are read
 * through a cache, so a change takes effect within {@code cacheTtl} on every instance.
 */
public final class AccessPolicy {

    private final PolicyStore store;
    private final TtlCache<String, Optional<AgentGrant>> grants;
    private final TtlCache<String, Optional<RateLimit>> tenantLimits;

    public AccessPolicy(PolicyStore store, Duration cacheTtl, Clock clock) {
        this.store = store;
        this.grants = new TtlCache<>(cacheTtl, clock);
        this.tenantLimits = new TtlCache<>(cacheTtl, clock);
    }

    /**
     * Admits a request to {@code server}: the agent is on the allowlist, its token names the allowlist's
     * tenant (or none), the server is granted and not switched off. Checked on every request, not only
     * on initialize, so a revoked grant or a kill switch also stops sessions already open.
     *
     * @return the owner a new session gets, and an existing session must have
     */
    public SessionOwner admit(AgentIdentity identity, UpstreamServer server) {
        AgentGrant grant = grantOf(identity);
        serverGrant(grant, server);
        return new SessionOwner(identity.agentId(), grant.tenantId(), identity.onBehalfOf());
    }

    /** Refuses a {@code tools/call} of a tool the agent was not granted, or that is switched off. */
    public void checkToolCall(AgentIdentity identity, UpstreamServer server, String tool) {
        ServerGrant grant = serverGrant(grantOf(identity), server);
        if (server.controls().killedTools().contains(tool)) {
            throw new BrokerException(ErrorCode.TOOL_KILLED, "tool '" + tool + "' is switched off on this server");
        }
        if (!grant.allowsTool(tool)) {
            throw new BrokerException(ErrorCode.TOOL_NOT_ALLOWED, "tool '" + tool + "' is not allowed for this agent");
        }
    }

    /** Removes from a {@code tools/list} result every tool the agent may not call. */
    public ObjectNode filterToolList(AgentIdentity identity, UpstreamServer server, ObjectNode response) {
        ServerGrant grant = serverGrant(grantOf(identity), server);
        JsonNode tools = response.path("result").path("tools");
        if (tools instanceof ArrayNode list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                String name = list.get(i).path("name").asText("");
                if (!grant.allowsTool(name) || server.controls().killedTools().contains(name)) {
                    list.remove(i);
                }
            }
        }
        return response;
    }

    /** The agent's own rate limit, if its grant sets one. */
    public Optional<RateLimit> agentRateLimit(AgentIdentity identity) {
        return grantOf(identity).rate();
    }

    public Optional<RateLimit> tenantRateLimit(String tenantId) {
        return tenantLimits.get(tenantId, store::tenantRateLimit);
    }

    private AgentGrant grantOf(AgentIdentity identity) {
        AgentGrant grant = grants.get(identity.agentId(), store::agent).orElseThrow(() ->
                new BrokerException(ErrorCode.AGENT_NOT_ALLOWED, "this agent is not on the allowlist"));
        if (identity.tenant().isPresent() && !identity.tenantId().equals(grant.tenantId())) {
            throw new BrokerException(ErrorCode.TENANT_MISMATCH, "the token's tenant is not this agent's tenant");
        }
        return grant;
    }

    private static ServerGrant serverGrant(AgentGrant grant, UpstreamServer server) {
        if (server.controls().killed()) {
            throw new BrokerException(ErrorCode.SERVER_KILLED, "this server is switched off");
        }
        return grant.server(server.id()).orElseThrow(() ->
                new BrokerException(ErrorCode.SERVER_NOT_ALLOWED, "this agent may not use this server"));
    }
}
