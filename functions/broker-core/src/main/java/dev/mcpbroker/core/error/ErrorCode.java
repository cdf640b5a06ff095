package dev.mcpbroker.core.error;

/**
 * Every error the broker itself returns: its JSON-RPC code, HTTP status, stable machine-readable reason
 * ({@code error.data.reason}), failure class and {@link Kind}. Reasons are part of the public contract:
 * never rename one. The broker's own codes lie in -31999..-31000, outside the range JSON-RPC reserves
 * (-32768..-32000), which MCP claims for itself from 2026-07-28 on (-32020..-32099); the codes MCP defines are
 * used as MCP defines them.
 */
public enum ErrorCode {

    PARSE_ERROR(Reserved.PARSE, 400, "parse_error", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    INVALID_REQUEST(Reserved.INVALID, 400, "invalid_request", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    INVALID_PARAMS(Reserved.PARAMS, 200, "invalid_params", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    BATCH_NOT_SUPPORTED(Reserved.INVALID, 400, "batch_not_supported", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    BODY_TOO_LARGE(Reserved.INVALID, 413, "body_too_large", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    UNSUPPORTED_MEDIA_TYPE(Reserved.INVALID, 415, "unsupported_media_type", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    MISSING_SESSION_ID(Reserved.INVALID, 400, "missing_session_id", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    UNSUPPORTED_PROTOCOL_VERSION(Reserved.INVALID, 400, "unsupported_protocol_version", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    METHOD_NOT_ALLOWED(Reserved.INVALID, 405, "method_not_allowed", FailureClass.DETERMINISTIC, Kind.MALFORMED),

    // MCP 2026-07-28, for stateless requests (HTTP 400 each).
    /** A required header ({@code MCP-Protocol-Version}, {@code Mcp-Method}, {@code Mcp-Name}) is missing or disagrees with the body. */
    HEADER_MISMATCH(Mcp2026.HEADER_MISMATCH, 400, "header_mismatch", FailureClass.DETERMINISTIC, Kind.MALFORMED),
    /** The request needs a client capability it did not declare ({@code data.requiredCapabilities}). */
    MISSING_CLIENT_CAPABILITY(Mcp2026.MISSING_CLIENT_CAPABILITY, 400, "missing_client_capability",
            FailureClass.DETERMINISTIC, Kind.MALFORMED),
    /** A protocol version the broker does not speak statelessly ({@code data.supported}, {@code data.requested}). */
    UNSUPPORTED_VERSION(Mcp2026.UNSUPPORTED_PROTOCOL_VERSION, 400, "unsupported_protocol_version",
            FailureClass.DETERMINISTIC, Kind.MALFORMED),
    /** A required request field is missing (per-request {@code _meta} of 2026-07-28, for one). */
    MISSING_FIELD(Reserved.PARAMS, 400, "invalid_params", FailureClass.DETERMINISTIC, Kind.MALFORMED),

    // Authentication (401, with a WWW-Authenticate challenge): the request never reaches policy.
    TOKEN_MISSING(-31040, 401, "token_missing", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_MALFORMED(-31040, 401, "token_malformed", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_TOO_LARGE(-31040, 401, "token_too_large", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_ALGORITHM_REFUSED(-31040, 401, "token_algorithm_refused", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_KEY_UNKNOWN(-31040, 401, "token_key_unknown", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_SIGNATURE_INVALID(-31040, 401, "token_signature_invalid", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_EXPIRED(-31040, 401, "token_expired", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_NOT_YET_VALID(-31040, 401, "token_not_yet_valid", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_ISSUER_INVALID(-31040, 401, "token_issuer_invalid", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_AUDIENCE_INVALID(-31040, 401, "token_audience_invalid", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    TOKEN_IDENTITY_MISSING(-31040, 401, "token_identity_missing", FailureClass.DETERMINISTIC, Kind.AUTHENTICATION),
    /** The token was not checked because its verification keys could not be fetched. */
    AUTHENTICATION_UNAVAILABLE(-31040, 503, "authentication_unavailable", FailureClass.NOT_EXECUTED, Kind.UNAVAILABLE),

    /** A browser page from an origin not on the list (DNS rebinding, cross-site requests). */
    ORIGIN_NOT_ALLOWED(-31043, 403, "origin_not_allowed", FailureClass.DETERMINISTIC, Kind.EDGE),
    /** The request names a host this broker does not serve. */
    HOST_NOT_ALLOWED(-31043, 403, "host_not_allowed", FailureClass.DETERMINISTIC, Kind.EDGE),

    // Authorisation (403): a valid identity without permission. Decided before any upstream contact.
    AGENT_NOT_ALLOWED(-31041, 403, "agent_not_allowed", FailureClass.DETERMINISTIC, Kind.UNRECOGNIZED),
    TENANT_MISMATCH(-31041, 403, "tenant_mismatch", FailureClass.DETERMINISTIC, Kind.UNRECOGNIZED),
    SERVER_NOT_ALLOWED(-31041, 403, "server_not_allowed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    SERVER_KILLED(-31041, 403, "server_killed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** Tool denials are JSON-RPC errors inside a normal exchange: the session stays usable. */
    TOOL_NOT_ALLOWED(-31041, 200, "tool_not_allowed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    TOOL_KILLED(-31041, 200, "tool_killed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** Resource and prompt denials, like tool denials, leave the session usable. */
    RESOURCE_NOT_ALLOWED(-31041, 200, "resource_not_allowed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    RESOURCE_KILLED(-31041, 200, "resource_killed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    PROMPT_NOT_ALLOWED(-31041, 200, "prompt_not_allowed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /**
     * Tool pinning under {@code enforce}: the upstream's live definition of the tool (description, schemas,
     * annotations, title) is not the approved one, or the upstream no longer lists an approved tool. Refused until an
     * operator approves the new definition.
     */
    TOOL_DEFINITION_CHANGED(-31041, 200, "tool_definition_changed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** Tool pinning under {@code enforce}: no definition of this tool was ever approved on this server. */
    TOOL_NOT_APPROVED(-31041, 200, "tool_not_approved", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    PROMPT_KILLED(-31041, 200, "prompt_killed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** A method the broker's table does not know, and the agent's grant does not name: never relayed. */
    UNKNOWN_METHOD(Reserved.METHOD_NOT_FOUND, 200, "unknown_method", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** A notification the specification does not name for clients (a request sent without id, for one): not relayed. */
    /**
     * A stateless (2026-07-28) request for a method that generation does not have (one it removed, such as
     * {@code initialize} or {@code ping}, or one no revision defines and the grant does not name): HTTP 404, as the
     * generation's transport requires.
     */
    METHOD_NOT_FOUND(Reserved.METHOD_NOT_FOUND, 404, "method_not_found", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /**
     * The method needs what the broker cannot carry between this agent and this upstream (a change-notification
     * stream from a legacy upstream to a stateless agent, for one); refused before the upstream is contacted.
     */
    NOT_RELAYABLE(Reserved.METHOD_NOT_FOUND, 200, "not_relayable", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    NOTIFICATION_NOT_ALLOWED(Reserved.METHOD_NOT_FOUND, 400, "notification_not_allowed", FailureClass.DETERMINISTIC,
            Kind.REFUSAL),
    /** A JSON-RPC response that answers no request the broker relayed to this identity. */
    UNSOLICITED_RESPONSE(Reserved.INVALID, 400, "unsolicited_response", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** A task this identity did not create, or none at all: indistinguishable on purpose. */
    /** A virtual server's request names a tool or prompt none of its members exposes (MCP's unknown tool: -32602). */
    NAME_NOT_EXPOSED(Reserved.PARAMS, 200, "name_not_exposed", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    TASK_NOT_FOUND(Reserved.PARAMS, 200, "task_not_found", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    RATE_LIMITED(-31042, 429, "rate_limited", FailureClass.NOT_EXECUTED, Kind.REFUSAL),

    // Idempotency of state-changing tools: JSON-RPC errors of the tools/call, the session stays usable.
    IDEMPOTENCY_KEY_REQUIRED(-31050, 200, "idempotency_key_required", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    IDEMPOTENCY_KEY_INVALID(-31050, 200, "idempotency_key_invalid", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** The key was used before with different arguments. */
    IDEMPOTENCY_KEY_REUSED(-31051, 200, "idempotency_key_reused", FailureClass.DETERMINISTIC, Kind.REFUSAL),
    /** Another request with this key is executing now; retry after {@code retryAfter}. */
    IDEMPOTENCY_IN_PROGRESS(-31052, 200, "idempotency_in_progress", FailureClass.NOT_EXECUTED, Kind.REFUSAL),
    /** An earlier attempt with this key may have executed; it is never retried automatically. */
    OUTCOME_UNKNOWN(-31053, 200, "outcome_unknown", FailureClass.AMBIGUOUS, Kind.REFUSAL),

    /** Unknown, ended, expired, or another identity's session: indistinguishable on purpose. */
    SESSION_NOT_FOUND(-31001, 404, "session_not_found", FailureClass.NOT_EXECUTED, Kind.REFUSAL),
    UNKNOWN_SERVER(-31002, 404, "unknown_server", FailureClass.DETERMINISTIC, Kind.UNRECOGNIZED),

    /** The upstream could not be reached: the request never left the broker. */
    UPSTREAM_UNREACHABLE(-31010, 502, "upstream_unreachable", FailureClass.NOT_EXECUTED, Kind.UPSTREAM),
    /** The request was sent but no complete answer came back: the upstream may have acted. */
    UPSTREAM_OUTCOME_UNKNOWN(-31011, 504, "upstream_outcome_unknown", FailureClass.AMBIGUOUS, Kind.UPSTREAM),
    /** The upstream answered with an HTTP error that will not change on retry. */
    UPSTREAM_REJECTED(-31012, 502, "upstream_rejected", FailureClass.DETERMINISTIC, Kind.UPSTREAM),
    /** The upstream ended its own session; the request was not processed. */
    UPSTREAM_SESSION_LOST(-31013, 502, "upstream_session_lost", FailureClass.NOT_EXECUTED, Kind.UPSTREAM),
    /** The upstream declined before acting and asked to be retried later. */
    UPSTREAM_THROTTLED(-31015, 503, "upstream_throttled", FailureClass.NOT_EXECUTED, Kind.UPSTREAM),
    /** The upstream answered with a server error: it may have acted before failing. */
    UPSTREAM_FAILED(-31016, 502, "upstream_failed", FailureClass.AMBIGUOUS, Kind.UPSTREAM),
    /** The registry names an endpoint the broker may not contact (not https, link-local, metadata, loopback). */
    UPSTREAM_ENDPOINT_NOT_ALLOWED(-31017, 502, "upstream_endpoint_not_allowed", FailureClass.NOT_EXECUTED, Kind.UPSTREAM),
    /** The upstream answered with something that is not MCP. */
    UPSTREAM_PROTOCOL_ERROR(-31014, 502, "upstream_protocol_error", FailureClass.AMBIGUOUS, Kind.UPSTREAM),

    /** The upstream's credential could not be resolved; nothing was sent upstream. */
    CREDENTIAL_UNAVAILABLE(-31021, 503, "credential_unavailable", FailureClass.NOT_EXECUTED, Kind.UNAVAILABLE),
    /** The audit trail could not record the intent: the call is refused before anything is sent upstream. */
    AUDIT_UNAVAILABLE(-31022, 503, "audit_unavailable", FailureClass.NOT_EXECUTED, Kind.UNAVAILABLE),
    /**
     * The upstream server has its maximum of concurrent sessions and no slot became free in time; nothing
     * was sent upstream. Retry after {@code retryAfter}.
     */
    SESSION_CAPACITY_EXHAUSTED(-31031, 503, "session_capacity_exhausted", FailureClass.NOT_EXECUTED, Kind.REFUSAL),
    /**
     * The agent's or its tenant's share of the server's sessions is in use: the caller's own quota, not the server's
     * cap. Nothing was sent upstream; end a session or retry later.
     */
    SESSION_QUOTA_EXHAUSTED(-31031, 429, "session_quota_exhausted", FailureClass.NOT_EXECUTED, Kind.REFUSAL),
    /** The broker's state store failed; nothing was sent upstream. */
    STATE_UNAVAILABLE(-31020, 503, "state_unavailable", FailureClass.NOT_EXECUTED, Kind.UNAVAILABLE),

    INTERNAL_ERROR(Reserved.INTERNAL, 500, "internal_error", FailureClass.AMBIGUOUS, Kind.INTERNAL);

    /** What kind of error it is: where it arises and what the broker does about it besides answering. */
    public enum Kind {
        /** Not a well-formed MCP request over HTTP; refused before the broker reads who asks. */
        MALFORMED,
        /** The token did not establish an identity (401, with a challenge). Never reaches the policy layer. */
        AUTHENTICATION,
        /** The transport edge refused the request (origin, host) before authentication. */
        EDGE,
        /**
         * The policy layer refused a request of an allowlisted agent before any upstream contact: counted, and
         * recorded in the audit trail as a denied decision.
         */
        REFUSAL,
        /**
         * Refused before the broker recognised who asks or what for (an identity not on the allowlist, a server that
         * is not registered): counted and logged (sampled), never a chain event, so nobody outside the allowlist
         * can make the audit trail grow.
         */
        UNRECOGNIZED,
        /** The upstream failed or answered with something unusable. */
        UPSTREAM,
        /** Something the broker depends on (state, audit trail, credentials, key sets) could not be reached. */
        UNAVAILABLE,
        /** A defect of the broker's own. */
        INTERNAL
    }

    // The codes MCP 2026-07-28 defines.
    private static final class Mcp2026 {
        static final int HEADER_MISMATCH = -32020;
        static final int MISSING_CLIENT_CAPABILITY = -32021;
        static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
    }

    // The codes JSON-RPC 2.0 reserves.
    private static final class Reserved {
        static final int PARSE = -32700;
        static final int INVALID = -32600;
        static final int METHOD_NOT_FOUND = -32601;
        static final int PARAMS = -32602;
        static final int INTERNAL = -32603;
    }

    private final int jsonRpcCode;
    private final int httpStatus;
    private final String reason;
    private final FailureClass failureClass;
    private final Kind kind;

    ErrorCode(int jsonRpcCode, int httpStatus, String reason, FailureClass failureClass, Kind kind) {
        this.jsonRpcCode = jsonRpcCode;
        this.httpStatus = httpStatus;
        this.reason = reason;
        this.failureClass = failureClass;
        this.kind = kind;
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

    public Kind kind() {
        return kind;
    }

    /** Authentication failures carry a {@code WWW-Authenticate} challenge. */
    public boolean isAuthenticationFailure() {
        return kind == Kind.AUTHENTICATION;
    }

    /** A refusal of the policy layer, of an allowlisted agent or not: counted as a denied request. */
    public boolean isRefusal() {
        return kind == Kind.REFUSAL || kind == Kind.UNRECOGNIZED;
    }

    /** A refusal recorded in the audit trail as a denied decision. */
    public boolean isAuditedRefusal() {
        return kind == Kind.REFUSAL;
    }
}
