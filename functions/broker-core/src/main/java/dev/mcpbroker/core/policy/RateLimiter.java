package dev.mcpbroker.core.policy;

import java.time.Duration;
import java.time.Instant;

/**
 * Counts requests against limits shared by every broker instance. Implementations change shared state
 * only through conditional writes, so concurrent instances cannot over-admit.
 */
public interface RateLimiter {

    /**
     * Takes one request from the bucket {@code key}.
     *
     * @return empty when admitted, otherwise how long to wait before the next request can be admitted
     */
    java.util.Optional<Duration> tryAcquire(String key, RateLimit limit, Instant now);
}
