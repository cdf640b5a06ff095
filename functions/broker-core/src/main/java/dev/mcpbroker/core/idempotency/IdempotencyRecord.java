package dev.mcpbroker.core.idempotency;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored state of one idempotent operation.
 *
 * @param recordId    {@link IdempotencyScope#recordId()}
 * @param scope       whose operation it is
 * @param fingerprint hash of the canonical arguments: the same key with other arguments is a conflict
 * @param status      where the operation is
 * @param claimedAt   when the first attempt claimed the key
 * @param leaseUntil  an {@link Status#IN_PROGRESS} record past this instant belongs to a broker that died;
 *                    it is then {@link Status#UNKNOWN}, never re-executed
 * @param result      the JSON-RPC {@code result} (or error) the upstream answered, as JSON text, once completed
 * @param expiresAt   retention: the record's TTL
 * @param version     optimistic-locking counter
 */
public record IdempotencyRecord(String recordId, IdempotencyScope scope, String fingerprint, Status status,
                                Instant claimedAt, Instant leaseUntil, String result, Instant expiresAt, long version) {

    public enum Status {
        /** A broker is executing it now (or died doing so, see leaseUntil). */
        IN_PROGRESS,
        /** The upstream answered; the answer is stored and replayed. */
        COMPLETED,
        /** The request reached the upstream and no complete answer came back: the outcome is unknown. */
        UNKNOWN
    }

    public IdempotencyRecord {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(claimedAt, "claimedAt");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public Optional<String> storedResult() {
        return Optional.ofNullable(result);
    }

    /** An in-progress record whose lease ran out: its broker died mid-call. */
    public boolean isAbandonedAt(Instant now) {
        return status == Status.IN_PROGRESS && !now.isBefore(leaseUntil);
    }

    /** Results can be large and hold anything the upstream returned: never print them. */
    @Override
    public String toString() {
        return "IdempotencyRecord[" + recordId.substring(0, 12) + "..., tool=" + scope.tool() + ", status=" + status
                + ", version=" + version + "]";
    }
}
