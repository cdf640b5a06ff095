package dev.mcpbroker.core.capacity;

import java.time.Instant;
import java.util.Objects;

/**
 * One held slot of a {@link LeasePool}. A lease ends by release or by running past {@code until}; an
 * expired lease counts as free, so a holder that dies without releasing loses its slot after a bounded
 * time and nothing leaks.
 *
 * @param pool   the pool's name
 * @param slot   the slot number, 0 to size - 1
 * @param holder who holds it (a session id: not printed whole)
 * @param until  when it expires unless renewed
 */
public record Lease(String pool, int slot, String holder, Instant until) {

    public Lease {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(until, "until");
    }

    public boolean isHeldAt(Instant now) {
        return now.isBefore(until);
    }

    public Lease until(Instant newUntil) {
        return new Lease(pool, slot, holder, newUntil);
    }

    @Override
    public String toString() {
        return "Lease[" + pool + "/" + slot + ", until=" + until + "]";
    }
}
