package dev.mcpbroker.core.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * The one exception for errors the broker answers itself. It carries everything needed to build the
 * HTTP status and JSON-RPC error; the function turns it into a response in exactly one place. Messages
 * name what was wrong, never payload contents or secrets.
 */
public final class BrokerException extends RuntimeException {

    private final ErrorCode code;
    private final FailureClass failureClass;
    private final Duration retryAfter;
    private final transient JsonNode requestId;

    public BrokerException(ErrorCode code, String message) {
        this(code, message, code.failureClass(), null, null, null);
    }

    public BrokerException(ErrorCode code, String message, Throwable cause) {
        this(code, message, code.failureClass(), null, null, cause);
    }

    private BrokerException(ErrorCode code, String message, FailureClass failureClass, Duration retryAfter,
                            JsonNode requestId, Throwable cause) {
        super(message, cause, false, cause != null);
        this.code = code;
        this.failureClass = failureClass;
        this.retryAfter = retryAfter;
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    public FailureClass failureClass() {
        return failureClass;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The id of the JSON-RPC request this error answers, when it was read before the failure. */
    public Optional<JsonNode> requestId() {
        return Optional.ofNullable(requestId);
    }

    public BrokerException withRequestId(JsonNode id) {
        return new BrokerException(code, getMessage(), failureClass, retryAfter, id, getCause());
    }

    public BrokerException withFailureClass(FailureClass newClass) {
        return new BrokerException(code, getMessage(), newClass, retryAfter, requestId, getCause());
    }

    public BrokerException withRetryAfter(Duration delay) {
        return new BrokerException(code, getMessage(), failureClass, delay, requestId, getCause());
    }
}
