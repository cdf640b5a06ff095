package dev.mcpbroker.conformance.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A JSON-RPC error the server answers with. {@link #httpStatus()} is the status a 2026-07-28 request gets (the
 * legacy generation answers JSON-RPC errors to requests with 200, as its clients expect).
 */
public final class McpError extends RuntimeException {

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** Resource not found, as the 2025 revisions' prose names it (2026-07-28 uses -32602 instead). */
    public static final int RESOURCE_NOT_FOUND = -32002;
    public static final int HEADER_MISMATCH = -32020;
    public static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private final int code;
    private final transient JsonNode data;
    private final int httpStatus;

    public McpError(int code, String message, JsonNode data, int httpStatus) {
        super(message);
        this.code = code;
        this.data = data;
        this.httpStatus = httpStatus;
    }

    public McpError(int code, String message, JsonNode data) {
        this(code, message, data, defaultStatus(code));
    }

    public McpError(int code, String message) {
        this(code, message, null);
    }

    public static McpError parseError(String message) {
        return new McpError(PARSE_ERROR, message);
    }

    public static McpError invalidRequest(String message) {
        return new McpError(INVALID_REQUEST, message);
    }

    public static McpError methodNotFound(String method) {
        return new McpError(METHOD_NOT_FOUND, "Method not found: " + method);
    }

    public static McpError invalidParams(String message) {
        return new McpError(INVALID_PARAMS, message);
    }

    public static McpError headerMismatch(String message) {
        return new McpError(HEADER_MISMATCH, message);
    }

    /** -32021 with {@code data.requiredCapabilities = {<capability>: {}}}. */
    public static McpError missingCapability(String capability) {
        ObjectNode required = Json.object();
        required.set(capability, Json.object());
        return new McpError(MISSING_REQUIRED_CLIENT_CAPABILITY,
                "Missing required client capability: " + capability,
                Json.object("requiredCapabilities", required));
    }

    public static McpError unsupportedVersion(List<String> supported, String requested) {
        return new McpError(UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version: " + requested,
                Json.object("supported", supported, "requested", requested));
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The JSON-RPC error object ({@code code}, {@code message}, {@code data}). */
    public ObjectNode toErrorObject() {
        ObjectNode error = Json.object("code", code, "message", getMessage());
        if (data != null) {
            error.set("data", data);
        }
        return error;
    }

    private static int defaultStatus(int code) {
        return switch (code) {
            case METHOD_NOT_FOUND -> 404;
            case INTERNAL_ERROR -> 500;
            case RESOURCE_NOT_FOUND -> 200;
            default -> 400;
        };
    }
}
