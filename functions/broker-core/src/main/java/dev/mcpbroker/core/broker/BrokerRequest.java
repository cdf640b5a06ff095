package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.identity.AgentIdentity;

/**
 * An agent's POST to {@code /mcp/{server}}, as the function decoded it.
 *
 * @param identity        the authenticated caller
 * @param serverId        the {@code {server}} path segment
 * @param sessionId       the {@code Mcp-Session-Id} header, or null
 * @param protocolVersion the {@code MCP-Protocol-Version} header, or null
 * @param idempotencyKey  the {@code Idempotency-Key} header, or null
 * @param taskId          the {@code Mcp-Broker-Task-Id} header, or null
 * @param body            the raw body
 */
public record BrokerRequest(AgentIdentity identity, String serverId, String sessionId, String protocolVersion, String idempotencyKey,
                            String taskId, byte[] body) {

    /** A request that names no agent task. */
    public BrokerRequest(AgentIdentity identity, String serverId, String sessionId, String protocolVersion, String idempotencyKey,
                         byte[] body) {
        this(identity, serverId, sessionId, protocolVersion, idempotencyKey, null, body);
    }

    @Override
    public String toString() {
        return "BrokerRequest[agent=" + identity.agentId() + ", server=" + serverId + ", bytes=" + (body == null ? 0 : body.length) + "]";
    }
}
