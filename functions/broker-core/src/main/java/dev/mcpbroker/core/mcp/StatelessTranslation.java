package dev.mcpbroker.core.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Messages between the two generations. To a 2026-07-28 upstream every request carries the protocol version, the
 * client's capabilities and info in {@code params._meta} and mirrors its method and name in headers; to a legacy
 * upstream, inside a session, those keys are left out (a dual-era server would take a request carrying them for a
 * stateless one).
 */
public final class StatelessTranslation {

    /**
     * Client capabilities the broker cannot honour for an upstream: they would have the upstream ask the client
     * something (sampling, elicitation, roots) over a stream a buffered deployment cannot hold open. They are not
     * offered upstream, so an upstream never asks; a tool that needs them answers that it cannot run.
     */
    public static final Set<String> UNRELAYED_CAPABILITIES = Set.of("sampling", "elicitation", "roots");

    private StatelessTranslation() {
    }

    /**
     * {@code message} as a stateless request of {@code version} with the client's capabilities and
     * info (the request's own {@code _meta} keys, such as a progress token or trace context, are kept).
     */
    public static ObjectNode toStateless(ObjectNode message, String version, ObjectNode capabilities, JsonNode clientInfo) {
        ObjectNode copy = message.deepCopy();
        ObjectNode meta = copy.withObjectProperty(JsonRpc.PARAMS).withObjectProperty(McpMeta.META);
        meta.put(McpMeta.PROTOCOL_VERSION, version);
        meta.set(McpMeta.CLIENT_CAPABILITIES, capabilities);
        if (clientInfo != null && !clientInfo.isMissingNode() && !clientInfo.isNull()) {
            meta.set(McpMeta.CLIENT_INFO, clientInfo);
        }
        return copy;
    }

    /** The headers a stateless request mirrors: {@code Mcp-Method}, and {@code Mcp-Name} where its method names something. */
    public static Map<String, String> headers(ObjectNode message) {
        Map<String, String> headers = new HashMap<>();
        String method = message.path(JsonRpc.METHOD).asText(null);
        if (method != null) {
            headers.put(McpHeaders.MCP_METHOD, method);
            ObjectNode params = message.path(JsonRpc.PARAMS) instanceof ObjectNode p ? p : message.objectNode();
            StatelessMessages.nameOf(method, params).ifPresent(name -> headers.put(McpHeaders.MCP_NAME, HeaderValues.encode(name)));
        }
        return headers;
    }

    /** {@code message} without the {@code _meta} keys MCP reserves, for a legacy upstream session. */
    public static ObjectNode withoutReservedMeta(ObjectNode message) {
        if (!(message.path(JsonRpc.PARAMS).path(McpMeta.META) instanceof ObjectNode meta)
                || !hasReserved(meta)) {
            return message;
        }
        ObjectNode copy = message.deepCopy();
        ObjectNode copiedMeta = (ObjectNode) copy.get(JsonRpc.PARAMS).get(McpMeta.META);
        Iterator<String> names = copiedMeta.fieldNames();
        while (names.hasNext()) {
            if (names.next().startsWith(McpMeta.RESERVED_PREFIX)) {
                names.remove();
            }
        }
        if (copiedMeta.isEmpty()) {
            ((ObjectNode) copy.get(JsonRpc.PARAMS)).remove(McpMeta.META);
        }
        return copy;
    }

    /**
     * A 2026-07-28 upstream's capabilities as a legacy session of the broker's own can use them. That generation
     * replaced {@code logging/setLevel} by a level in each request's {@code _meta}, and {@code resources/subscribe}
     * and list-change notifications by {@code subscriptions/listen}; a legacy session has none of those, and the
     * broker holds no stream to deliver notifications on, so {@code logging}, {@code subscribe} and
     * {@code listChanged} are not announced.
     */
    public static ObjectNode sessionCapabilities(JsonNode discovered) {
        ObjectNode copy = discovered instanceof ObjectNode object ? object.deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        copy.remove("logging");
        for (String capability : new String[] {"tools", "prompts", "resources"}) {
            if (copy.get(capability) instanceof ObjectNode flags) {
                flags.remove("listChanged");
                flags.remove("subscribe");
            }
        }
        return copy;
    }

    /** Client capabilities without those the broker cannot relay ({@link #UNRELAYED_CAPABILITIES}). */
    public static ObjectNode relayable(JsonNode capabilities) {
        ObjectNode copy = capabilities instanceof ObjectNode object ? object.deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        UNRELAYED_CAPABILITIES.forEach(copy::remove);
        return copy;
    }

    private static boolean hasReserved(ObjectNode meta) {
        Iterator<String> names = meta.fieldNames();
        while (names.hasNext()) {
            if (names.next().startsWith(McpMeta.RESERVED_PREFIX)) {
                return true;
            }
        }
        return false;
    }
}
