package dev.mcpbroker.core.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long sessions live.
 *
 * @param lifetime      absolute lifetime from initialize, however busy the session is
 * @param idleTimeout   a session unused this long ends
 * @param touchInterval a use is written to the session record at most this often, so the idle deadline
 *                      costs one write per interval rather than one per request; it bounds how early an
 *                      idle session may end (by up to this much), so keep it well below the idle timeout
 */
public record SessionTimeouts(Duration lifetime, Duration idleTimeout, Duration touchInterval) {

    public SessionTimeouts {
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(touchInterval, "touchInterval");
        if (lifetime.isNegative() || lifetime.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("session lifetime and idle timeout must be positive");
        }
        if (touchInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("the touch interval must be shorter than the idle timeout");
        }
    }

    /** The idle deadline of a session used at {@code now}, never past its absolute end. */
    public Instant idleDeadline(Instant now, Instant absoluteEnd) {
        Instant idle = now.plus(idleTimeout);
        return idle.isBefore(absoluteEnd) ? idle : absoluteEnd;
    }
}
