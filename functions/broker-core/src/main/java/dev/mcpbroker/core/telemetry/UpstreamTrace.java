package dev.mcpbroker.core.telemetry;

/** The trace of one exchange with an upstream. {@link #end} is called exactly once. */
public interface UpstreamTrace {

    /** The context to send with the exchange, in HTTP headers and in {@code params._meta}. */
    default TraceContext context() {
        return TraceContext.NONE;
    }

    /**
     * The upstream answered.
     *
     * @param httpStatus the HTTP status
     * @param errorType  null when it answered a success; the JSON-RPC error code, or {@code tool_error}
     */
    default void answered(int httpStatus, String errorType) {
    }

    /**
     * The exchange failed.
     *
     * @param errorType  what went wrong, e.g. {@code unreachable}, {@code session_gone}, {@code rejected}
     * @param httpStatus the HTTP status, or 0 when no HTTP answer arrived
     */
    default void failed(String errorType, int httpStatus) {
    }

    default void end() {
    }

    UpstreamTrace NONE = new UpstreamTrace() {
    };
}
