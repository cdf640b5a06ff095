package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link RateLimiter} in memory, by the same generic cell rate algorithm as the DynamoDB adapter: a request is
 * admitted when the bucket's theoretical arrival time is at most {@code (burst - 1) * interval} ahead of now, and
 * admitting moves it to {@code max(tat, now) + interval}.
 */
public final class InMemoryRateLimiter extends Availability implements RateLimiter {

    private final Map<String, Long> tatMicros = new HashMap<>();

    @Override
    public synchronized Optional<Duration> tryAcquire(String key, RateLimit limit, Instant now) {
        answer("acquire");
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        long interval = limit.intervalMicros();
        long tolerance = (limit.burst() - 1L) * interval;
        long tat = tatMicros.getOrDefault(key, 0L);
        long ahead = tat - nowMicros;
        if (ahead > tolerance) {
            return Optional.of(Duration.of(ahead - tolerance, ChronoUnit.MICROS));
        }
        tatMicros.put(key, Math.max(tat, nowMicros) + interval);
        return Optional.empty();
    }
}
