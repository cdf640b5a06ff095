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
 * Misses are loaded by the caller's function; load failures are not cached. Keys may be chosen by whoever
 * calls (a server id in the path, an agent id in a token), so the cache also holds at most {@code maxEntries}:
 * when full, expired entries go first, and if none has expired it starts over empty (a miss costs one read).
 */
public final class TtlCache<K, V> {

    private record Entry<V>(V value, Instant loadedAt) {
    }

    /** Enough for every agent, server and tenant a deployment has; far less than an instance's memory. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    private final Duration ttl;
    private final Clock clock;
    private final int maxEntries;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

    public TtlCache(Duration ttl, Clock clock) {
        this(ttl, clock, DEFAULT_MAX_ENTRIES);
    }

    public TtlCache(Duration ttl, Clock clock, int maxEntries) {
        this.ttl = Objects.requireNonNull(ttl);
        this.clock = Objects.requireNonNull(clock);
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
    }

    /** How many entries it holds now, expired ones included. */
    public int size() {
        return entries.size();
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
        store(key, new Entry<>(value, now));
        return value;
    }

    private void store(K key, Entry<V> entry) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            Instant now = clock.instant();
            entries.values().removeIf(old -> !now.isBefore(old.loadedAt().plus(ttl)));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, entry);
    }

    /** The value held for {@code key} while it is fresh, without loading it. */
    public java.util.Optional<V> peek(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null || ttl.isZero() || !clock.instant().isBefore(entry.loadedAt().plus(ttl))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(entry.value());
    }

    /** Stores a value learned elsewhere (e.g. from an answer passing through), trusted for the TTL. */
    public void put(K key, V value) {
        if (!ttl.isZero()) {
            store(key, new Entry<>(value, clock.instant()));
        }
    }

    public void invalidate(K key) {
        entries.remove(key);
    }
}
