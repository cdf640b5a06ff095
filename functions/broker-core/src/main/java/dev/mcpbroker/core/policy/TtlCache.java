package dev.mcpbroker.core.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A per-instance cache whose entries are trusted for at most {@code ttl}: how long an administrator's
 * change (a revoked grant, a kill switch) may take to reach every instance. A TTL of zero disables it.
 * Misses are loaded by the caller's function; load failures are not cached.
 */
public final class TtlCache<K, V> {

    private record Entry<V>(V value, Instant loadedAt) {
    }

    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

    public TtlCache(Duration ttl, Clock clock) {
        this.ttl = Objects.requireNonNull(ttl);
        this.clock = Objects.requireNonNull(clock);
    }

    public V get(K key, Function<K, V> loader) {
        if (ttl.isZero()) {
            return loader.apply(key);
        }
        Instant now = clock.instant();
        Entry<V> entry = entries.get(key);
        if (entry != null && now.isBefore(entry.loadedAt().plus(ttl))) {
            return entry.value();
        }
        V value = loader.apply(key);
        entries.put(key, new Entry<>(value, now));
        return value;
    }

    /** Stores a value learned elsewhere (e.g. from an answer passing through), trusted for the TTL. */
    public void put(K key, V value) {
        if (!ttl.isZero()) {
            entries.put(key, new Entry<>(value, clock.instant()));
        }
    }

    public void invalidate(K key) {
        entries.remove(key);
    }
}
