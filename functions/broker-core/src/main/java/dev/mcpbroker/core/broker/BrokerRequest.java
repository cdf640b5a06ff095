package dev.mcpbroker.core.broker;

import java.util.Map;
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
     * @param paramHeaders       the {@code Mcp-Param-*} headers, which mirror tool arguments a tool's schema marks
     *                           with {@code x-mcp-header}; the upstream, which knows the schema, checks them
     */
    public record Transport(String mcpMethod, String mcpName, boolean acceptsEventStream, Map<String, String> paramHeaders) {

        /** No 2026-07-28 headers; JSON answers only. */
        public static final Transport NONE = new Transport(null, null, false);

        /** The prefix of the headers that mirror tool arguments. */
        public static final String PARAM_HEADER_PREFIX = "Mcp-Param-";

        public Transport {
            paramHeaders = paramHeaders == null ? Map.of() : Map.copyOf(paramHeaders);
        }

        public Transport(String mcpMethod, String mcpName, boolean acceptsEventStream) {
            this(mcpMethod, mcpName, acceptsEventStream, Map.of());
        }
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
