package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.IdempotencyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link IdempotencyStore} in memory, with the DynamoDB adapter's semantics: every change conditional on the
 * caller's claim (status, version and claim time), a claim may replace a record past its retention.
 * {@link #beforeNextWrite} lets a test slip another writer in between a read and a write.
 */
public final class InMemoryIdempotencyStore extends Availability implements IdempotencyStore {

    private final Map<String, IdempotencyRecord> records = new HashMap<>();
    private Runnable beforeNextWrite;

    /** Runs {@code other} once, just before the next claim/complete/markUnknown/release takes effect. */
    public synchronized void beforeNextWrite(Runnable other) {
        this.beforeNextWrite = other;
    }

    /** Stores a record as it is, as if some earlier writer had left it. */
    public synchronized void put(IdempotencyRecord record) {
        records.put(record.recordId(), record);
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention) {
        interleave();
        synchronized (this) {
            answer("write");
            IdempotencyRecord existing = records.get(scope.recordId());
            if (existing != null && now.isBefore(existing.expiresAt())) {
                throw new KeyAlreadyClaimedException(existing);
            }
            IdempotencyRecord claim = new IdempotencyRecord(scope.recordId(), scope, fingerprint,
                    IdempotencyRecord.Status.IN_PROGRESS, now, now.plus(lease), null, now.plus(retention), 1);
            records.put(claim.recordId(), claim);
            return claim;
        }
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now) {
        interleave();
        synchronized (this) {
            answer("write");
            requireOwnClaim(claim);
            IdempotencyRecord done = with(claim, IdempotencyRecord.Status.COMPLETED, result);
            records.put(done.recordId(), done);
            return done;
        }
    }

    @Override
    public IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now) {
        interleave();
        synchronized (this) {
            answer("write");
            requireOwnClaim(record);
            IdempotencyRecord unknown = with(record, IdempotencyRecord.Status.UNKNOWN, null);
            records.put(unknown.recordId(), unknown);
            return unknown;
        }
    }

    @Override
    public void release(IdempotencyRecord claim) {
        interleave();
        synchronized (this) {
            answer("write");
            requireOwnClaim(claim);
            records.remove(claim.recordId());
        }
    }

    @Override
    public synchronized Optional<IdempotencyRecord> find(IdempotencyScope scope) {
        answer("write");
        return Optional.ofNullable(records.get(scope.recordId()));
    }

    private void interleave() {
        Runnable other;
        synchronized (this) {
            other = beforeNextWrite;
            beforeNextWrite = null;
        }
        if (other != null) {
            other.run();
        }
    }

    private void requireOwnClaim(IdempotencyRecord claim) {
        IdempotencyRecord current = records.get(claim.recordId());
        if (current == null || current.status() != IdempotencyRecord.Status.IN_PROGRESS
                || current.version() != claim.version() || !current.claimedAt().equals(claim.claimedAt())) {
            throw new RecordChangedException(current);
        }
    }

    private static IdempotencyRecord with(IdempotencyRecord r, IdempotencyRecord.Status status, String result) {
        return new IdempotencyRecord(r.recordId(), r.scope(), r.fingerprint(), status, r.claimedAt(), r.leaseUntil(),
                result, r.expiresAt(), r.version() + 1);
    }
}
