package dev.mcpbroker.core.mcp;

/**
 * The reserved {@code _meta} keys of MCP 2026-07-28. A stateless request carries its protocol version and client
 * capabilities in every request's {@code params._meta}; results name their server in {@code result._meta}.
 */
public final class McpMeta {

    public static final String META = "_meta";
    public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
    /** Every key MCP reserves for itself starts so; the broker strips them before a request goes to a legacy upstream. */
    public static final String RESERVED_PREFIX = "io.modelcontextprotocol/";

    // Results of 2026-07-28.
    public static final String RESULT_TYPE = "resultType";
    public static final String COMPLETE = "complete";
    public static final String INPUT_REQUIRED = "input_required";
    public static final String TTL_MS = "ttlMs";
    public static final String CACHE_SCOPE = "cacheScope";
    public static final String REQUEST_STATE = "requestState";
    /** In a virtual server's list result: the members whose items are missing from it, each with a failure class and reason. */
    public static final String UNAVAILABLE_MEMBERS = "dev.mcp-broker/unavailableMembers";

    private McpMeta() {
    }
}
