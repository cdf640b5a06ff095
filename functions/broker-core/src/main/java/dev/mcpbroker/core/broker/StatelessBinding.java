package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A stateless agent's request to a stateless (2026-07-28) upstream: no session anywhere, every message (the agent's,
 * and the broker's own, such as a tool list it reads) a stateless request carrying the agent's client capabilities
 * and info, with its method and name mirrored in headers. Each request is a chain of its own in the audit trail.
 */
final class StatelessBinding implements UpstreamBinding {

    private final UpstreamServer server;
    private final UpstreamExchange upstream;
    private final ObjectNode capabilities;
    private final JsonNode clientInfo;
    private final String chainKey = "stateless:" + UUID.randomUUID();
    private final List<ObjectNode> notifications = new ArrayList<>();
    private final Map<String, String> paramHeaders;

    /** @param paramHeaders the agent's {@code Mcp-Param-*} headers, relayed with its own request only */
    StatelessBinding(UpstreamServer server, UpstreamExchange upstream, ObjectNode capabilities, JsonNode clientInfo,
                     Map<String, String> paramHeaders) {
        this.paramHeaders = Map.copyOf(paramHeaders);
        this.server = Objects.requireNonNull(server);
        this.upstream = Objects.requireNonNull(upstream);
        // Multi round-trip requests pass between two stateless ends as ordinary answers: every capability is relayable.
        this.capabilities = capabilities.deepCopy();
        this.clientInfo = clientInfo;
    }

    @Override
    public String chainKey() {
        return chainKey;
    }

    @Override
    public UpstreamReply send(ObjectNode message, Map<String, String> headers, boolean safeToRepeat) {
        ObjectNode stateless = StatelessTranslation.toStateless(message, ProtocolVersions.V2026_07_28, capabilities, clientInfo);
        Map<String, String> all = new HashMap<>(headers);
        if (McpMethods.TOOLS_CALL.equals(message.path(JsonRpc.METHOD).asText())) {
            all.putAll(paramHeaders);
        }
        all.putAll(StatelessTranslation.headers(stateless));
        UpstreamReply reply = upstream.send(server, stateless, null, ProtocolVersions.V2026_07_28, UpstreamAffinity.NONE, all);
        reply.relayed().stream().filter(relayed -> !relayed.has(JsonRpc.ID)).forEach(notifications::add);
        return reply;
    }

    @Override
    public ObjectNode request(ObjectNode message, Map<String, String> headers, boolean safeToRepeat) {
        return send(message, headers, safeToRepeat).response().orElseThrow(() -> new BrokerException(
                ErrorCode.UPSTREAM_PROTOCOL_ERROR, "upstream '" + server.id() + "' sent no response"));
    }

    @Override
    public List<ObjectNode> notifications() {
        return List.copyOf(notifications);
    }
}
