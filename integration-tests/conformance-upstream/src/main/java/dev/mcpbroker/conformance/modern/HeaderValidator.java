package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.http.HttpExchanges;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.McpError;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The 2026-07-28 request headers checked against the body (SEP-2243): {@code MCP-Protocol-Version},
 * {@code Mcp-Method}, {@code Mcp-Name} and the {@code Mcp-Param-*} headers that {@code x-mcp-header} tool
 * properties mirror. Any failure is -32020 (HeaderMismatch), HTTP 400. Header names are case-insensitive, values
 * case-sensitive with surrounding whitespace ignored; {@code =?base64?...?=} values are decoded strictly first.
 */
final class HeaderValidator {

    static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
    private static final Set<String> NAMED_METHODS = Set.of("tools/call", "resources/read", "prompts/get");
    private static final Pattern BASE64 = Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");
    private static final String PREFIX = "=?base64?";
    private static final String SUFFIX = "?=";

    private HeaderValidator() {
    }

    /** {@code MCP-Protocol-Version} present and {@code Mcp-Method} equal to the body's method. */
    static String checkVersionAndMethod(HttpExchange exchange, String method) {
        String version = HttpExchanges.header(exchange, PROTOCOL_VERSION);
        if (version == null || version.isEmpty()) {
            throw McpError.headerMismatch("The MCP-Protocol-Version header is required");
        }
        String methodHeader = decode(exchange, "Mcp-Method");
        if (methodHeader == null) {
            throw McpError.headerMismatch("The Mcp-Method header is required");
        }
        if (!methodHeader.equals(method)) {
            throw McpError.headerMismatch("Header mismatch: Mcp-Method header value '" + methodHeader
                    + "' does not match body value '" + method + "'");
        }
        return version;
    }

    /** {@code Mcp-Name} equal to {@code params.name} (tools/call, prompts/get) or {@code params.uri} (resources/read). */
    static void checkName(HttpExchange exchange, String method, ObjectNode params) {
        if (!NAMED_METHODS.contains(method)) {
            return;
        }
        String body = Json.text(params, method.equals("resources/read") ? "uri" : "name");
        String header = decode(exchange, "Mcp-Name");
        if (header == null) {
            if (body != null) {
                throw McpError.headerMismatch("The Mcp-Name header is required for " + method);
            }
            return;
        }
        if (!header.equals(body)) {
            throw McpError.headerMismatch("Header mismatch: Mcp-Name header value '" + header
                    + "' does not match body value '" + body + "'");
        }
    }

    /** Every top-level {@code x-mcp-header} property of the tool: its header present exactly when the value is. */
    static void checkParams(HttpExchange exchange, ObjectNode inputSchema, ObjectNode arguments) {
        ObjectNode properties = Json.objectAt(inputSchema, "properties");
        if (properties == null) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> property = fields.next();
            String headerName = Json.text(property.getValue(), "x-mcp-header");
            if (headerName == null) {
                continue;
            }
            String header = decode(exchange, "Mcp-Param-" + headerName);
            JsonNode value = arguments.get(property.getKey());
            boolean present = value != null && !value.isNull();
            if (!present && header == null) {
                continue;
            }
            if (header == null) {
                throw McpError.headerMismatch("The Mcp-Param-" + headerName + " header is required: argument '"
                        + property.getKey() + "' has a value");
            }
            if (!present || !matches(header, value)) {
                throw McpError.headerMismatch("Header mismatch: Mcp-Param-" + headerName + " header value '" + header
                        + "' does not match argument '" + property.getKey() + "'");
            }
        }
    }

    private static boolean matches(String header, JsonNode value) {
        if (value.isTextual()) {
            return header.equals(value.asText());
        }
        if (value.isBoolean()) {
            return header.equals(value.asText());
        }
        if (value.isNumber()) {
            try {
                return new BigDecimal(header).compareTo(value.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    /** The header's value, trimmed, Base64-decoded when wrapped in {@code =?base64?...?=}; null when absent. */
    static String decode(HttpExchange exchange, String name) {
        String raw = HttpExchanges.header(exchange, name);
        if (raw == null) {
            return null;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw McpError.headerMismatch("The " + name + " header contains characters that must be Base64-encoded");
            }
        }
        if (!(raw.length() >= PREFIX.length() + SUFFIX.length() && raw.startsWith(PREFIX) && raw.endsWith(SUFFIX))) {
            return raw;
        }
        String encoded = raw.substring(PREFIX.length(), raw.length() - SUFFIX.length());
        if (!BASE64.matcher(encoded).matches()) {
            throw McpError.headerMismatch("The " + name + " header is not valid Base64: " + raw);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(encoded))).toString();
        } catch (CharacterCodingException | IllegalArgumentException e) {
            throw McpError.headerMismatch("The " + name + " header does not decode to UTF-8 text: " + raw);
        }
    }
}
