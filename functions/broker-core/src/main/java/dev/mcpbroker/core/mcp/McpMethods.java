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

    /**
     * Requests that read and change nothing: after the upstream lost its session and the broker re-opened
     * it, these are sent again on the agent's behalf. Anything else (and tools/call of a tool that is not
     * read-only) is answered with a classified error instead, never retried silently.
     */
    public static final java.util.Set<String> SAFE_TO_REPEAT = java.util.Set.of(
            PING, TOOLS_LIST, RESOURCES_LIST, RESOURCES_READ, RESOURCES_TEMPLATES_LIST, PROMPTS_LIST, PROMPTS_GET,
            COMPLETION_COMPLETE);

    /**
     * Every method an agent may send to a server under the specifications the broker speaks (2025-03-26 to
     * 2025-11-25), and the broker's own. Anything else is still relayed, but is not a name worth a metric
     * series of its own ({@code MetricDimensions}).
     */
    public static final java.util.Set<String> SPECIFIED = java.util.Set.of(
            INITIALIZE, PING, TOOLS_LIST, TOOLS_CALL, RESOURCES_LIST, RESOURCES_READ, RESOURCES_TEMPLATES_LIST,
            "resources/subscribe", "resources/unsubscribe", PROMPTS_LIST, PROMPTS_GET, COMPLETION_COMPLETE,
            LOGGING_SET_LEVEL, "tasks/get", "tasks/list", "tasks/result", "tasks/cancel", BROKER_OUTCOME,
            NOTIFICATIONS_INITIALIZED, NOTIFICATIONS_CANCELLED, "notifications/progress",
            "notifications/roots/list_changed", "notifications/tasks/status");

    private McpMethods() {
    }
}
