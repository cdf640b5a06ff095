package dev.mcpbroker.core.idempotency;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where idempotency records live, shared by every broker instance. Every change is a conditional write.
 * Unlike the classic pattern, a record is never deleted because a call failed ambiguously: a record whose
 * outcome is unknown stays {@link IdempotencyRecord.Status#UNKNOWN} until it expires. Storage errors are
 * thrown as {@link dev.mcpbroker.core.error.StoreUnavailableException}.
 */
public interface IdempotencyStore {

    /**
     * Claims the key for a new execution: creates an {@code IN_PROGRESS} record leased until
     * {@code now + lease}, kept until {@code now + retention}.
     *
     * @return the new record
     * @throws KeyAlreadyClaimedException with the existing record when the key is taken (one write, no read)
     */
    IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention);

    /**
     * Stores the upstream's answer, if the record is still the caller's in-progress claim.
     *
     * @throws RecordChangedException when it is not (e.g. it was declared unknown meanwhile)
     */
    IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now);

    /**
     * Declares the outcome unknown: the caller's own claim after an ambiguous failure, or an abandoned
     * claim whose lease ran out.
     *
     * @throws RecordChangedException when the record is no longer at the expected version
     */
    IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now);

    /**
     * Gives the key back when the call certainly did not execute (the upstream was never reached), so a
     * retry may execute it. Only the caller's own in-progress claim is released.
     *
     * @throws RecordChangedException when the record is no longer the caller's claim
     */
    void release(IdempotencyRecord claim);

    /** Reads a record (strongly consistent). */
    Optional<IdempotencyRecord> find(IdempotencyScope scope);

    /** The key is already claimed; carries the record found (from the failed conditional write). */
    final class KeyAlreadyClaimedException extends RuntimeException {
        private final transient IdempotencyRecord existing;

        public KeyAlreadyClaimedException(IdempotencyRecord existing) {
            super("idempotency key already claimed", null, false, false);
            this.existing = existing;
        }

        public IdempotencyRecord existing() {
            return existing;
        }
    }

    /** A conditional change failed: the record is not in the state the caller expected. */
    final class RecordChangedException extends RuntimeException {
        private final transient IdempotencyRecord current;

        public RecordChangedException(IdempotencyRecord current) {
            super("idempotency record changed", null, false, false);
            this.current = current;
        }

        /** The record as stored when the condition failed, if it still exists. */
        public Optional<IdempotencyRecord> current() {
            return Optional.ofNullable(current);
        }
    }
}
