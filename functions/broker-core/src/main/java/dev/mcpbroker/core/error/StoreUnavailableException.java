package dev.mcpbroker.core.error;

/**
 * A state store (sessions, leases, idempotency records, the audit outbox, policy) could not be reached or refused the
 * call. Whether a write took effect is unknown, so callers must not assume either outcome; the broker
 * answers {@link ErrorCode#STATE_UNAVAILABLE} before it contacts any upstream.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
