package dev.mcpbroker.core.capacity;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where leases live. Every change is a conditional write: a slot is taken only if it is free or its lease
 * expired, renewed and released only by its holder. Implementations throw {@link StoreUnavailableException}
 * when the store cannot be asked.
 */
public interface LeaseStore {

    /**
     * Takes one free (or expired) slot of {@code pool} for {@code holder} until {@code until}.
     *
     * @return the lease, or empty when every slot is held by an unexpired lease
     */
    Optional<Lease> tryAcquire(LeasePool pool, String holder, Instant now, Instant until);

    /**
     * Moves the expiry of a lease its holder still holds.
     *
     * @return false when the holder no longer holds the slot (it expired and was taken)
     */
    boolean renew(Lease lease, Instant until);

    /** Frees a slot if {@code lease}'s holder still holds it; otherwise does nothing. */
    void release(Lease lease);

    /** Every lease of the pool, expired ones included, in slot order. */
    List<Lease> list(LeasePool pool);

    /** Deletes the pool's expired leases (each only if still expired when deleted). */
    int reapExpired(LeasePool pool, Instant now);
}
