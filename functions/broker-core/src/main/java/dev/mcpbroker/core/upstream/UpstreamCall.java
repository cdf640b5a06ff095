package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * One JSON-RPC message for an upstream.
 *
 * @param message           the message to POST
 * @param upstreamSessionId the upstream's session id, or null before the upstream session exists
 * @param protocolVersion   the negotiated version, or null on initialize
 * @param headers           extra headers for the upstream request only
 */
public record UpstreamCall(ObjectNode message, String upstreamSessionId, String protocolVersion, Map<String, String> headers) {

    public UpstreamCall {
        Objects.requireNonNull(message, "message");
        headers = Map.copyOf(headers);
    }

    /** Payloads may hold anything an agent sent: never print them. */
    @Override
    public String toString() {
        return "UpstreamCall[method=" + message.path("method").asText("-") + "]";
    }
}
