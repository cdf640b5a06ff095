package dev.mcpbroker.core.mcp;

/** MCP method names the broker treats specially; every other method is relayed unchanged. */
public final class McpMethods {

    public static final String INITIALIZE = "initialize";
    public static final String PING = "ping";
    public static final String TOOLS_LIST = "tools/list";
    public static final String TOOLS_CALL = "tools/call";
    public static final String RESOURCES_LIST = "resources/list";
    public static final String RESOURCES_READ = "resources/read";
    public static final String RESOURCES_TEMPLATES_LIST = "resources/templates/list";
    public static final String PROMPTS_LIST = "prompts/list";
    public static final String PROMPTS_GET = "prompts/get";
    public static final String COMPLETION_COMPLETE = "completion/complete";
    public static final String LOGGING_SET_LEVEL = "logging/setLevel";

    /**
     * The broker's own method: the outcome of a state-changing call by its idempotency key
     * ({@code params: {tool, idempotencyKey}}), answered by the broker without contacting the upstream.
     */
    public static final String BROKER_OUTCOME = "mcp-broker/outcome";

    public static final String NOTIFICATIONS_INITIALIZED = "notifications/initialized";
    public static final String NOTIFICATIONS_CANCELLED = "notifications/cancelled";

    private McpMethods() {
    }
}
