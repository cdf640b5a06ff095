package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateLimiter} does: a bucket admits its burst at once, then refuses with the exact wait until the
 * next request can be admitted, refills at its rate but never beyond its burst, and keys are buckets of their own.
 * Time is passed explicitly; keys are random per test.
 */
public abstract class RateLimiterContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** Two per second, five at once: a request costs 500 ms. */
    private static final RateLimit TWO_PER_SECOND = new RateLimit(2, 5);
    private static final Duration INTERVAL = Duration.ofMillis(500);

    private RateLimiter limiter;
    private final String key = "agent:" + UUID.randomUUID();

    protected abstract RateLimiter newLimiter();

    @BeforeEach
    void openLimiter() {
        limiter = newLimiter();
    }

    private void drain(String bucket, RateLimit limit, Instant at) {
        for (int i = 0; i < limit.burst(); i++) {
            assertThat(limiter.tryAcquire(bucket, limit, at)).as("request %d of the burst", i + 1).isEmpty();
        }
    }

    @Test
    void aFullBurstIsAdmittedAtOnce() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0)).as("request %d", i + 1).isEmpty();
        }
    }

    @Test
    void theRequestAfterTheBurstIsRefusedWithAWaitOfOneInterval() {
        drain(key, TWO_PER_SECOND, T0);

        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0)).contains(INTERVAL);
    }

    @Test
    void theWaitShrinksAsTimePasses() {
        drain(key, TWO_PER_SECOND, T0);

        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0.plusMillis(100))).contains(Duration.ofMillis(400));
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0.plus(INTERVAL).minusNanos(1_000))).contains(Duration.ofNanos(1_000));
    }

    @Test
    void refusedRequestsCostNothingAndOneIsAdmittedOnceItsWaitHasPassed() {
        drain(key, TWO_PER_SECOND, T0);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0.plusMillis(i))).isPresent();
        }

        Instant afterWait = T0.plus(INTERVAL);
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, afterWait)).isEmpty();
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, afterWait)).contains(INTERVAL);
    }

    @Test
    void theBucketRefillsAtItsRate() {
        drain(key, TWO_PER_SECOND, T0);

        Instant twoIntervalsLater = T0.plus(INTERVAL.multipliedBy(2));
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, twoIntervalsLater)).isEmpty();
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, twoIntervalsLater)).isEmpty();
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, twoIntervalsLater)).isPresent();
    }

    @Test
    void aLongPauseRefillsTheBucketToItsBurstAndNoFurther() {
        drain(key, TWO_PER_SECOND, T0);

        Instant anHourLater = T0.plusSeconds(3600);
        drain(key, TWO_PER_SECOND, anHourLater);
        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, anHourLater)).contains(INTERVAL);
    }

    @Test
    void aBurstOfOneAdmitsOneRequestPerInterval() {
        RateLimit onePerSecond = new RateLimit(1, 1);

        assertThat(limiter.tryAcquire(key, onePerSecond, T0)).isEmpty();
        assertThat(limiter.tryAcquire(key, onePerSecond, T0.plusMillis(999))).contains(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire(key, onePerSecond, T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void keysAreBucketsOfTheirOwn() {
        String other = "agent:" + UUID.randomUUID();
        drain(key, TWO_PER_SECOND, T0);

        drain(other, TWO_PER_SECOND, T0);

        assertThat(limiter.tryAcquire(key, TWO_PER_SECOND, T0)).isPresent();
        assertThat(limiter.tryAcquire(other, TWO_PER_SECOND, T0)).isPresent();
    }

    @Test
    void concurrentRequestsForOneBucketAreNeverOverAdmitted() throws Exception {
        RateLimit slow = new RateLimit(0.001, 10);

        List<Integer> admitted = Race.of(8, racer -> {
            int mine = 0;
            for (int i = 0; i < 5; i++) {
                mine += limiter.tryAcquire(key, slow, T0.plusMillis(i)).isEmpty() ? 1 : 0;
            }
            return mine;
        });

        assertThat(admitted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        assertThat(limiter.tryAcquire(key, slow, T0.plusSeconds(1))).map(Duration::isPositive).contains(true);
    }

    @Test
    void aRefusalAlwaysCarriesAPositiveWait() {
        drain(key, TWO_PER_SECOND, T0);

        Optional<Duration> wait = limiter.tryAcquire(key, TWO_PER_SECOND, T0.plusMillis(499));

        assertThat(wait).hasValueSatisfying(w -> assertThat(w).isPositive());
    }
}
