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
 * @param transport       what else the transport's headers said
 * @param body            the raw body
 */
public record BrokerRequest(AgentIdentity identity, String serverId, String sessionId, String protocolVersion, String idempotencyKey,
                            String taskId, Transport transport, byte[] body) {

    /**
     * Headers of the Streamable HTTP transport the stateless generation relies on.
     *
     * @param mcpMethod          the {@code Mcp-Method} header, or null
     * @param mcpName            the {@code Mcp-Name} header (as sent, possibly encoded), or null
     * @param acceptsEventStream whether {@code Accept} admits {@code text/event-stream}: the broker may then answer
     *                           with the upstream's notifications before the response
     */
    public record Transport(String mcpMethod, String mcpName, boolean acceptsEventStream) {

        /** No 2026-07-28 headers; JSON answers only. */
        public static final Transport NONE = new Transport(null, null, false);
    }

    /** A request without the headers of the stateless generation. */
    public BrokerRequest(AgentIdentity identity, String serverId, String sessionId, String protocolVersion, String idempotencyKey,
                         String taskId, byte[] body) {
        this(identity, serverId, sessionId, protocolVersion, idempotencyKey, taskId, Transport.NONE, body);
    }

    /** A request that names no agent task. */
    public BrokerRequest(AgentIdentity identity, String serverId, String sessionId, String protocolVersion, String idempotencyKey,
                         byte[] body) {
        this(identity, serverId, sessionId, protocolVersion, idempotencyKey, null, Transport.NONE, body);
    }

    @Override
    public String toString() {
        return "BrokerRequest[agent=" + identity.agentId() + ", server=" + serverId + ", bytes=" + (body == null ? 0 : body.length) + "]";
    }
}
