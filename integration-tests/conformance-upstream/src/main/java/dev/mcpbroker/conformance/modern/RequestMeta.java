package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.dispatch.LogLevels;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.McpError;

/**
 * The per-request {@code _meta} of a 2026-07-28 request: the protocol version and the client's capabilities are
 * required (a request without them is malformed: -32602, HTTP 400); {@code clientInfo} is a SHOULD and not
 * required; the log level and progress token are optional.
 */
record RequestMeta(String protocolVersion, ObjectNode clientCapabilities, String logLevel, JsonNode progressToken) {

    static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";

    static RequestMeta of(ObjectNode params) {
        if (params == null || !(params.get("_meta") instanceof ObjectNode meta)) {
            throw McpError.invalidParams("params._meta is required (protocol version and client capabilities)");
        }
        String version = Json.text(meta, PROTOCOL_VERSION);
        if (version == null) {
            throw McpError.invalidParams("_meta." + PROTOCOL_VERSION + " (string) is required");
        }
        ObjectNode capabilities = Json.objectAt(meta, CLIENT_CAPABILITIES);
        if (capabilities == null) {
            throw McpError.invalidParams("_meta." + CLIENT_CAPABILITIES + " (object) is required");
        }
        JsonNode level = meta.get(LOG_LEVEL);
        if (level != null && !(level.isTextual() && LogLevels.isValid(level.asText()))) {
            throw McpError.invalidParams("_meta." + LOG_LEVEL + " must be one of " + LogLevels.ORDER);
        }
        JsonNode token = meta.get("progressToken");
        return new RequestMeta(version, capabilities, level == null ? null : level.asText(),
                token != null && (token.isTextual() || token.isNumber()) ? token : null);
    }
}
