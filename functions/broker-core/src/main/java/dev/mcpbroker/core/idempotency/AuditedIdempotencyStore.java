package dev.mcpbroker.core.idempotency;

import dev.mcpbroker.core.audit.AuditEvent;
import java.time.Duration;
import java.time.Instant;

/**
 * An {@link IdempotencyStore} that writes a claim together with the audit intent of the call it claims, and a
 * completion together with its outcome: the claim is the durable intent, so a state-changing call takes one write
 * before the upstream and one after. Both halves of each write happen or neither does, where the store can do that
 * in one atomic write ({@link SeparatelyAudited} is the store for when it cannot).
 */
public interface AuditedIdempotencyStore extends IdempotencyStore {

    /**
     * {@link #claim(IdempotencyScope, String, Instant, Duration, Duration)}, with {@code intent} appended to the audit
     * trail in the same write.
     *
     * @throws KeyAlreadyClaimedException with the existing record; the intent was not appended
     */
    IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention,
                            AuditEvent intent);

    /**
     * {@link #complete(IdempotencyRecord, String, Instant)}, with {@code outcome} appended to the audit trail in the
     * same write.
     *
     * @throws RecordChangedException when the record is no longer the caller's claim; the outcome was not appended
     */
    IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now, AuditEvent outcome);
}
