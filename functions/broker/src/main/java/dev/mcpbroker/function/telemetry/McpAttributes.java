package dev.mcpbroker.function.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Span and metric attributes. Where the OpenTelemetry semantic conventions name one (MCP and GenAI, in
 * semconv 1.39+, which the SDK's semconv artifact does not have yet), that name is used; the broker's own
 * are under {@code mcp.broker.*}. Values are identifiers and stable codes only: never arguments, results,
 * tokens, secrets or session ids (the session is {@code mcp.session.id} as a hash of the id).
 */
public final class McpAttributes {

    // MCP and GenAI semantic conventions
    public static final AttributeKey<String> MCP_METHOD_NAME = AttributeKey.stringKey("mcp.method.name");
    public static final AttributeKey<String> MCP_PROTOCOL_VERSION = AttributeKey.stringKey("mcp.protocol.version");
    /** The hash of the broker session id ({@code SessionIds.hash}), never the id. */
    public static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    public static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    public static final AttributeKey<String> RPC_RESPONSE_STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    public static final String EXECUTE_TOOL = "execute_tool";
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<String> NETWORK_PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");

    // the broker's own
    /** The upstream server's registry id (the {@code {server}} path segment). */
    public static final AttributeKey<String> SERVER = AttributeKey.stringKey("mcp.broker.server");
    public static final AttributeKey<String> AGENT = AttributeKey.stringKey("mcp.broker.agent");
    public static final AttributeKey<String> TENANT = AttributeKey.stringKey("mcp.broker.tenant");
    /** {@code ok}, {@code tool_error}, or the failure class of a failed request. */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("mcp.broker.outcome");
    public static final AttributeKey<String> FAILURE_CLASS = AttributeKey.stringKey("mcp.broker.failure_class");
    /** The broker's stable reason ({@code error.data.reason}) of a refusal or failure. */
    public static final AttributeKey<String> REASON = AttributeKey.stringKey("mcp.broker.reason");
    /** {@code execute}, {@code replay}, {@code conflict}, {@code in_progress} or {@code unknown}. */
    public static final AttributeKey<String> IDEMPOTENCY = AttributeKey.stringKey("mcp.broker.idempotency.decision");
    /** How often the upstream session was re-opened while serving the request. */
    public static final AttributeKey<Long> UPSTREAM_REOPENED = AttributeKey.longKey("mcp.broker.upstream.reopened");
    /** Whether the request was sent upstream again after a re-open. */
    public static final AttributeKey<Boolean> UPSTREAM_RESENT = AttributeKey.booleanKey("mcp.broker.upstream.resent");

    private McpAttributes() {
    }
}
