package dev.mcpbroker.core.telemetry;

/**
 * What the broker learns about the MCP request it is serving, for the request's trace. The trace is begun
 * and ended by whoever received the request (the function's HTTP endpoint), which also records how it
 * ended; the broker reports what only it knows, as it learns it.
 */
public interface RequestTrace {

    /**
     * The JSON-RPC message, once parsed.
     *
     * @param method    the method, or null for a JSON-RPC response
     * @param requestId the request's id as text, or null for a notification or response
     * @param tool      the tool of a {@code tools/call}, else null
     * @param carried   trace context the agent put in {@code params._meta}, if any
     */
    default void message(String method, String requestId, String tool, TraceContext carried) {
    }

    /** The registered upstream the request is for, once the registry knows the id the path named. */
    default void server(String serverId) {
    }

    /** Who asks: the agent and the tenant (the allowlist's, once the policy layer has admitted the agent). */
    default void caller(String agentId, String tenantId) {
    }

    /** The broker session the request belongs to, as {@link dev.mcpbroker.core.session.SessionIds#hash}: never the id itself. */
    default void session(String sessionHash) {
    }

    /** The MCP protocol version negotiated for the session. */
    default void protocolVersion(String version) {
    }

    /** What the idempotency guard decided for a state-changing {@code tools/call}. */
    default void idempotency(IdempotencyDecision decision) {
    }

    /** The upstream had lost the session and the broker re-opened it; {@code resent} when the request was sent again. */
    default void upstreamSessionReopened(boolean resent) {
    }

    /** The id of the distributed trace the request belongs to, recorded with its audit events; null when not traced. */
    default String traceId() {
        return null;
    }

    /** For callers that trace nothing. */
    RequestTrace NONE = new RequestTrace() {
    };
}
