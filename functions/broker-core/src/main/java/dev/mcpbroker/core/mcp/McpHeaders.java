package dev.mcpbroker.core.mcp;

/** HTTP header names of the Streamable HTTP transport. HTTP header names are case-insensitive. */
public final class McpHeaders {

    public static final String SESSION_ID = "Mcp-Session-Id";
    public static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
    public static final String LAST_EVENT_ID = "Last-Event-ID";
    /** Carries an agent's idempotency key for a state-changing {@code tools/call}; forwarded upstream too. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The same key inside the request's {@code params._meta}, for clients that cannot set headers. */
    public static final String IDEMPOTENCY_KEY_META = "dev.mcpbroker/idempotencyKey";

    /**
     * Names the agent task a session belongs to (set by the agent framework, one value per task), so the
     * broker can count how many sessions one task fans out to. Visible ASCII, at most 128 characters.
     */
    public static final String TASK_ID = "Mcp-Broker-Task-Id";

    /** 2026-07-28: the request's method, checked against the body. */
    public static final String MCP_METHOD = "Mcp-Method";
    /** 2026-07-28: the tool, resource URI, prompt or task a request names, checked against the body. */
    public static final String MCP_NAME = "Mcp-Name";

    public static final String APPLICATION_JSON = "application/json";
    public static final String TEXT_EVENT_STREAM = "text/event-stream";

    private McpHeaders() {
    }
}
