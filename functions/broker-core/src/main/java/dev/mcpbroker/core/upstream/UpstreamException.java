package dev.mcpbroker.core.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed exchange with an upstream, by what is known about whether the upstream acted. The broker
 * turns the kind into a failure class; this exception never carries payloads.
 */
public final class UpstreamException extends RuntimeException {

    public enum Kind {
        /** No connection could be made: the request never reached the upstream. */
        UNREACHABLE,
        /** The request was sent but the answer did not arrive whole: the upstream may have acted. */
        NO_RESPONSE,
        /** The upstream no longer knows the session: it did not process the request. */
        SESSION_GONE,
        /** The upstream declined before acting (429): retry later. */
        THROTTLED,
        /** The upstream answered with an HTTP client error that will recur. */
        REJECTED,
        /** The upstream answered with a server error: it may have acted. */
        SERVER_ERROR,
        /** The answer was not valid MCP over Streamable HTTP. */
        PROTOCOL
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public UpstreamException(Kind kind, int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public UpstreamException(Kind kind, String message, Throwable cause) {
        this(kind, 0, message, null, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when no HTTP answer arrived. */
    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
