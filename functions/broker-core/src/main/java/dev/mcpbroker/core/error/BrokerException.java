package dev.mcpbroker.core.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;

/**
 * The one exception for errors the broker answers itself. It carries everything needed to build the
 * HTTP status and JSON-RPC error; the function turns it into a response in exactly one place. Messages
 * name what was wrong, never payload contents or secrets.
 */
public final class BrokerException extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;
    private final transient JsonNode requestId;
    private final transient ObjectNode data;

    public BrokerException(ErrorCode code, String message) {
        this(code, message, null, null, null, null);
    }

    public BrokerException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, null, null, cause);
    }

    private BrokerException(ErrorCode code, String message, Duration retryAfter, JsonNode requestId, ObjectNode data,
                            Throwable cause) {
        super(message, cause, false, cause != null);
        this.code = code;
        this.retryAfter = retryAfter;
        this.requestId = requestId;
        this.data = data;
    }

    /**
     * The broker error a failure stands for: a {@link BrokerException} as it is, a state store that could not be
     * asked as {@link ErrorCode#STATE_UNAVAILABLE} (nothing was sent upstream), anything else as an internal error.
     */
    public static BrokerException of(Throwable failure) {
        return switch (failure) {
            case BrokerException broker -> broker;
            case StoreUnavailableException unavailable ->
                    new BrokerException(ErrorCode.STATE_UNAVAILABLE, "broker state is unavailable", unavailable);
            default -> new BrokerException(ErrorCode.INTERNAL_ERROR, "internal error", failure);
        };
    }

    public ErrorCode code() {
        return code;
    }

    public FailureClass failureClass() {
        return code.failureClass();
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The id of the JSON-RPC request this error answers, when it was read before the failure. */
    public Optional<JsonNode> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** Members the error's {@code data} carries besides its reason and failure class (what the protocol defines). */
    public Optional<ObjectNode> data() {
        return Optional.ofNullable(data);
    }

    public BrokerException withRequestId(JsonNode id) {
        return new BrokerException(code, getMessage(), retryAfter, id, data, getCause());
    }

    public BrokerException withRetryAfter(Duration delay) {
        return new BrokerException(code, getMessage(), delay, requestId, data, getCause());
    }

    public BrokerException withData(ObjectNode members) {
        return new BrokerException(code, getMessage(), retryAfter, requestId, members, getCause());
    }
}
