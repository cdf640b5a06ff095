package dev.mcpbroker.core.idempotency;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link AuditedIdempotencyStore} over a store and an outbox that cannot write together: two writes each. A claim
 * whose intent cannot be appended is released again (nothing executed, nothing recorded); an outcome that cannot be
 * appended after its completion is logged, as an outcome always was (the intent shows the call). Used in memory and
 * where the outbox lives elsewhere than the records.
 */
public final class SeparatelyAudited implements AuditedIdempotencyStore {

    private static final System.Logger LOG = System.getLogger(SeparatelyAudited.class.getName());
    private static final int OUTCOME_ATTEMPTS = 3;

    private final IdempotencyStore store;
    private final AuditOutbox outbox;

    public SeparatelyAudited(IdempotencyStore store, AuditOutbox outbox) {
        this.store = Objects.requireNonNull(store, "store");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention,
                                   AuditEvent intent) {
        IdempotencyRecord claim = store.claim(scope, fingerprint, now, lease, retention);
        try {
            outbox.append(intent);
            return claim;
        } catch (StoreUnavailableException e) {
            try {
                store.release(claim);
            } catch (RecordChangedException | StoreUnavailableException notReleased) {
                // the claim stays in progress until its lease runs out, then reads as unknown: safe
            }
            throw e;
        }
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now, AuditEvent outcome) {
        IdempotencyRecord completed = store.complete(claim, result, now);
        for (int attempt = 1; attempt <= OUTCOME_ATTEMPTS; attempt++) {
            try {
                outbox.append(outcome);
                break;
            } catch (StoreUnavailableException e) {
                if (attempt == OUTCOME_ATTEMPTS) {
                    LOG.log(Level.ERROR, "audit outcome " + outcome.eventId() + " could not be recorded: " + e.getMessage());
                }
            }
        }
        return completed;
    }

    @Override
    public IdempotencyRecord claim(IdempotencyScope scope, String fingerprint, Instant now, Duration lease, Duration retention) {
        return store.claim(scope, fingerprint, now, lease, retention);
    }

    @Override
    public IdempotencyRecord complete(IdempotencyRecord claim, String result, Instant now) {
        return store.complete(claim, result, now);
    }

    @Override
    public IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now) {
        return store.markUnknown(record, now);
    }

    @Override
    public void release(IdempotencyRecord claim) {
        store.release(claim);
    }

    @Override
    public Optional<IdempotencyRecord> find(IdempotencyScope scope) {
        return store.find(scope);
    }
}
