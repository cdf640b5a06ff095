package dev.mcpbroker.core.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * W3C trace context (the {@code traceparent} and {@code tracestate} fields) as MCP carries it besides HTTP
 * headers: in a request's or notification's {@code params._meta}, so upstreams that read it there (or sit
 * behind a transport without headers) join the same trace. Only these two keys are ever read or written.
 *
 * @param fields {@code traceparent} and, when present, {@code tracestate}; empty when there is no context
 */
public record TraceContext(Map<String, String> fields) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    public static final TraceContext NONE = new TraceContext(Map.of());
    /** Longer values are not trace context (a traceparent is 55 characters; tracestate is at most 32 members). */
    private static final int MAX_FIELD_LENGTH = 1024;
    private static final String META = "_meta";

    public TraceContext {
        fields = Map.copyOf(fields);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The trace context an agent put in a message's {@code params._meta}, if any. */
    public static TraceContext carriedBy(JsonNode message) {
        JsonNode meta = message.path(JsonRpc.PARAMS).path(META);
        Map<String, String> found = new LinkedHashMap<>();
        for (String key : new String[] {TRACEPARENT, TRACESTATE}) {
            JsonNode value = meta.path(key);
            if (value.isTextual() && !value.asText().isEmpty() && value.asText().length() <= MAX_FIELD_LENGTH) {
                found.put(key, value.asText());
            }
        }
        return found.containsKey(TRACEPARENT) ? new TraceContext(found) : NONE;
    }

    /**
     * {@code message} with this context in its {@code params._meta}: a copy, so the caller's message (the
     * agent's, which may be sent again or fingerprinted) is never changed. Only the nodes on the path to
     * {@code _meta} are copied; arguments are shared, not duplicated. JSON-RPC responses carry no params
     * and are returned as they are, as is every message when there is no context.
     */
    public ObjectNode into(ObjectNode message) {
        if (fields.isEmpty() || !message.has(JsonRpc.METHOD)) {
            return message;
        }
        ObjectNode copy = message.objectNode();
        copy.setAll(message);
        ObjectNode params = copy.objectNode();
        if (message.path(JsonRpc.PARAMS) instanceof ObjectNode original) {
            params.setAll(original);
        }
        ObjectNode meta = params.objectNode();
        if (params.path(META) instanceof ObjectNode originalMeta) {
            meta.setAll(originalMeta);
        }
        fields.forEach(meta::put);
        params.set(META, meta);
        copy.set(JsonRpc.PARAMS, params);
        return copy;
    }
}
