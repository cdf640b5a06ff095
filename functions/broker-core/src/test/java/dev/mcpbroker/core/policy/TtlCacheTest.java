package dev.mcpbroker.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TtlCacheTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger loads = new AtomicInteger();

    private String load(String key) {
        return key + "-" + loads.incrementAndGet();
    }

    @Test
    void entryIsReusedWithinTheTtlAndReloadedAfter() {
        TtlCache<String, String> cache = new TtlCache<>(Duration.ofSeconds(30), clock);
        assertThat(cache.get("a", this::load)).isEqualTo("a-1");
        clock.advance(Duration.ofSeconds(29));
        assertThat(cache.get("a", this::load)).isEqualTo("a-1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get("a", this::load)).isEqualTo("a-2");
    }

    @Test
    void zeroTtlLoadsEveryTime() {
        TtlCache<String, String> cache = new TtlCache<>(Duration.ZERO, clock);
        cache.get("a", this::load);
        cache.get("a", this::load);
        assertThat(loads).hasValue(2);
    }

    @Test
    void failedLoadIsNotCached() {
        TtlCache<String, String> cache = new TtlCache<>(Duration.ofSeconds(30), clock);
        try {
            cache.get("a", key -> {
                throw new IllegalStateException("store down");
            });
        } catch (IllegalStateException expected) {
            // the next call must try again
        }
        assertThat(cache.get("a", this::load)).isEqualTo("a-1");
    }

    @Test
    void keysChosenByCallersNeverGrowTheCacheBeyondItsBound() {
        TtlCache<String, String> cache = new TtlCache<>(Duration.ofSeconds(30), clock, 100);
        for (int i = 0; i < 10_000; i++) {
            cache.get("made-up-server-" + i, this::load);
            assertThat(cache.size()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void whenFullExpiredEntriesGoFirstAndLiveOnesStay() {
        TtlCache<String, String> cache = new TtlCache<>(Duration.ofSeconds(30), clock, 3);
        cache.get("old-1", this::load);
        cache.get("old-2", this::load);
        clock.advance(Duration.ofSeconds(31));
        cache.get("live", this::load);

        cache.get("new", this::load);

        assertThat(cache.size()).isEqualTo(2);
        int before = loads.get();
        cache.get("live", this::load);
        assertThat(loads).as("the live entry survived").hasValue(before);
    }
}
