package dev.mcpbroker.core.policy;

/**
 * A token bucket: {@code perSecond} sustained, up to {@code burst} at once.
 */
public record RateLimit(double perSecond, int burst) {

    public RateLimit {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs perSecond > 0 and burst >= 1");
        }
    }

    /** Time one request "costs" in the bucket, in microseconds. */
    public long intervalMicros() {
        return Math.max(1, Math.round(1_000_000 / perSecond));
    }
}
