package dev.mcpbroker.core.error;

import dev.mcpbroker.core.jsonrpc.JsonRpc;

/**
 * Every error the broker itself returns: its JSON-RPC code, HTTP status, stable machine-readable reason
 * ({@code error.data.reason}) and failure class. Reasons are part of the public contract: never rename one.
 */
public enum ErrorCode {

    PARSE_ERROR(JsonRpc.PARSE_ERROR, 400, "parse_error", FailureClass.DETERMINISTIC),
    INVALID_REQUEST(JsonRpc.INVALID_REQUEST, 400, "invalid_request", FailureClass.DETERMINISTIC),
    INVALID_PARAMS(JsonRpc.INVALID_PARAMS, 200, "invalid_params", FailureClass.DETERMINISTIC),
    BATCH_NOT_SUPPORTED(JsonRpc.INVALID_REQUEST, 400, "batch_not_supported", FailureClass.DETERMINISTIC),
    BODY_TOO_LARGE(JsonRpc.INVALID_REQUEST, 413, "body_too_large", FailureClass.DETERMINISTIC),
    UNSUPPORTED_MEDIA_TYPE(JsonRpc.INVALID_REQUEST, 415, "unsupported_media_type", FailureClass.DETERMINISTIC),
    MISSING_SESSION_ID(JsonRpc.INVALID_REQUEST, 400, "missing_session_id", FailureClass.DETERMINISTIC),
    UNSUPPORTED_PROTOCOL_VERSION(JsonRpc.INVALID_REQUEST, 400, "unsupported_protocol_version", FailureClass.DETERMINISTIC),
    METHOD_NOT_ALLOWED(JsonRpc.INVALID_REQUEST, 405, "method_not_allowed", FailureClass.DETERMINISTIC),

    // Authentication (401, with a WWW-Authenticate challenge): the request never reaches policy.
    TOKEN_MISSING(-32040, 401, "token_missing", FailureClass.DETERMINISTIC),
    TOKEN_MALFORMED(-32040, 401, "token_malformed", FailureClass.DETERMINISTIC),
    TOKEN_TOO_LARGE(-32040, 401, "token_too_large", FailureClass.DETERMINISTIC),
    TOKEN_ALGORITHM_REFUSED(-32040, 401, "token_algorithm_refused", FailureClass.DETERMINISTIC),
    TOKEN_KEY_UNKNOWN(-32040, 401, "token_key_unknown", FailureClass.DETERMINISTIC),
    TOKEN_SIGNATURE_INVALID(-32040, 401, "token_signature_invalid", FailureClass.DETERMINISTIC),
    TOKEN_EXPIRED(-32040, 401, "token_expired", FailureClass.DETERMINISTIC),
    TOKEN_NOT_YET_VALID(-32040, 401, "token_not_yet_valid", FailureClass.DETERMINISTIC),
    TOKEN_ISSUER_INVALID(-32040, 401, "token_issuer_invalid", FailureClass.DETERMINISTIC),
    TOKEN_AUDIENCE_INVALID(-32040, 401, "token_audience_invalid", FailureClass.DETERMINISTIC),
    TOKEN_IDENTITY_MISSING(-32040, 401, "token_identity_missing", FailureClass.DETERMINISTIC),
    /** The token was not checked because its verification keys could not be fetched. */
    AUTHENTICATION_UNAVAILABLE(-32040, 503, "authentication_unavailable", FailureClass.NOT_EXECUTED),

    /** A browser page from an origin not on the list (DNS rebinding, cross-site requests). */
    ORIGIN_NOT_ALLOWED(-32043, 403, "origin_not_allowed", FailureClass.DETERMINISTIC),
    /** The request names a host this broker does not serve. */
    HOST_NOT_ALLOWED(-32043, 403, "host_not_allowed", FailureClass.DETERMINISTIC),

    // Authorisation (403): a valid identity without permission. Decided before any upstream contact.
    AGENT_NOT_ALLOWED(-32041, 403, "agent_not_allowed", FailureClass.DETERMINISTIC),
    TENANT_MISMATCH(-32041, 403, "tenant_mismatch", FailureClass.DETERMINISTIC),
    SERVER_NOT_ALLOWED(-32041, 403, "server_not_allowed", FailureClass.DETERMINISTIC),
    SERVER_KILLED(-32041, 403, "server_killed", FailureClass.DETERMINISTIC),
    /** Tool denials are JSON-RPC errors inside a normal exchange: the session stays usable. */
    TOOL_NOT_ALLOWED(-32041, 200, "tool_not_allowed", FailureClass.DETERMINISTIC),
    TOOL_KILLED(-32041, 200, "tool_killed", FailureClass.DETERMINISTIC),
    RATE_LIMITED(-32042, 429, "rate_limited", FailureClass.NOT_EXECUTED),

    // Idempotency of state-changing tools: JSON-RPC errors of the tools/call, the session stays usable.
    IDEMPOTENCY_KEY_REQUIRED(-32050, 200, "idempotency_key_required", FailureClass.DETERMINISTIC),
    IDEMPOTENCY_KEY_INVALID(-32050, 200, "idempotency_key_invalid", FailureClass.DETERMINISTIC),
    /** The key was used before with different arguments. */
    IDEMPOTENCY_KEY_REUSED(-32051, 200, "idempotency_key_reused", FailureClass.DETERMINISTIC),
    /** Another request with this key is executing now; retry after {@code retryAfter}. */
    IDEMPOTENCY_IN_PROGRESS(-32052, 200, "idempotency_in_progress", FailureClass.NOT_EXECUTED),
    /** An earlier attempt with this key may have executed; it is never retried automatically. */
    OUTCOME_UNKNOWN(-32053, 200, "outcome_unknown", FailureClass.AMBIGUOUS),

    /** Unknown, ended, expired, or another identity's session: indistinguishable on purpose. */
    SESSION_NOT_FOUND(-32001, 404, "session_not_found", FailureClass.NOT_EXECUTED),
    UNKNOWN_SERVER(-32002, 404, "unknown_server", FailureClass.DETERMINISTIC),

    /** The upstream could not be reached: the request never left the broker. */
    UPSTREAM_UNREACHABLE(-32010, 502, "upstream_unreachable", FailureClass.NOT_EXECUTED),
    /** The request was sent but no complete answer came back: the upstream may have acted. */
    UPSTREAM_OUTCOME_UNKNOWN(-32011, 504, "upstream_outcome_unknown", FailureClass.AMBIGUOUS),
    /** The upstream answered with an HTTP error that will not change on retry. */
    UPSTREAM_REJECTED(-32012, 502, "upstream_rejected", FailureClass.DETERMINISTIC),
    /** The upstream ended its own session; the request was not processed. */
    UPSTREAM_SESSION_LOST(-32013, 502, "upstream_session_lost", FailureClass.NOT_EXECUTED),
    /** The upstream declined before acting and asked to be retried later. */
    UPSTREAM_THROTTLED(-32015, 503, "upstream_throttled", FailureClass.NOT_EXECUTED),
    /** The upstream answered with a server error: it may have acted before failing. */
    UPSTREAM_FAILED(-32016, 502, "upstream_failed", FailureClass.AMBIGUOUS),
    /** The upstream answered with something that is not MCP. */
    UPSTREAM_PROTOCOL_ERROR(-32014, 502, "upstream_protocol_error", FailureClass.AMBIGUOUS),

    /** The upstream's credential could not be resolved; nothing was sent upstream. */
    CREDENTIAL_UNAVAILABLE(-32021, 503, "credential_unavailable", FailureClass.NOT_EXECUTED),
    /** The audit trail could not record the intent: the call is refused before anything is sent upstream. */
    AUDIT_UNAVAILABLE(-32022, 503, "audit_unavailable", FailureClass.NOT_EXECUTED),
    /**
     * The upstream server has its maximum of concurrent sessions and no slot became free in time; nothing
     * was sent upstream. Retry after {@code retryAfter}.
     */
    SESSION_CAPACITY_EXHAUSTED(-32031, 503, "session_capacity_exhausted", FailureClass.NOT_EXECUTED),
    /** The broker's state store failed; nothing was sent upstream. */
    STATE_UNAVAILABLE(-32020, 503, "state_unavailable", FailureClass.NOT_EXECUTED),

    INTERNAL_ERROR(JsonRpc.INTERNAL_ERROR, 500, "internal_error", FailureClass.AMBIGUOUS);

    private final int jsonRpcCode;
    private final int httpStatus;
    private final String reason;
    private final FailureClass failureClass;

    ErrorCode(int jsonRpcCode, int httpStatus, String reason, FailureClass failureClass) {
        this.jsonRpcCode = jsonRpcCode;
        this.httpStatus = httpStatus;
        this.reason = reason;
        this.failureClass = failureClass;
    }

    public int jsonRpcCode() {
        return jsonRpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String reason() {
        return reason;
    }

    public FailureClass failureClass() {
        return failureClass;
    }

    /** Authentication failures carry a {@code WWW-Authenticate} challenge. */
    public boolean isAuthenticationFailure() {
        return httpStatus == 401;
    }
}
