package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.capacity.LeaseStore;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link LeaseStore} in memory: a slot is taken only when free or expired, renewed and released only by its holder. */
public final class InMemoryLeaseStore extends Availability implements LeaseStore {

    /** Leases by pool name, then slot. */
    private final Map<String, Map<Integer, Lease>> pools = new HashMap<>();

    @Override
    public synchronized Optional<Lease> tryAcquire(LeasePool pool, String holder, Instant now, Instant until) {
        answer("acquire");
        Map<Integer, Lease> slots = pools.computeIfAbsent(pool.name(), name -> new HashMap<>());
        for (int slot = 0; slot < pool.size(); slot++) {
            Lease current = slots.get(slot);
            if (current == null || current.until().isBefore(now)) {
                Lease lease = new Lease(pool.name(), slot, holder, until);
                slots.put(slot, lease);
                return Optional.of(lease);
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized boolean renew(Lease lease, Instant until) {
        answer("renew");
        Map<Integer, Lease> slots = pools.getOrDefault(lease.pool(), Map.of());
        Lease current = slots.get(lease.slot());
        if (current == null || !current.holder().equals(lease.holder())) {
            return false;
        }
        slots.put(lease.slot(), current.until(until));
        return true;
    }

    @Override
    public synchronized void release(Lease lease) {
        answer("release");
        Map<Integer, Lease> slots = pools.getOrDefault(lease.pool(), Map.of());
        Lease current = slots.get(lease.slot());
        if (current != null && current.holder().equals(lease.holder())) {
            slots.remove(lease.slot());
        }
    }

    @Override
    public synchronized List<Lease> list(LeasePool pool) {
        answer("list");
        return pools.getOrDefault(pool.name(), Map.of()).values().stream()
                .sorted(Comparator.comparingInt(Lease::slot)).toList();
    }

    @Override
    public synchronized int reapExpired(LeasePool pool, Instant now) {
        answer("reap");
        Map<Integer, Lease> slots = pools.getOrDefault(pool.name(), new HashMap<>());
        int before = slots.size();
        slots.values().removeIf(lease -> lease.until().isBefore(now));
        return before - slots.size();
    }
}
