package dev.mcpbroker.core.idempotency;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.IdempotencyStore.KeyAlreadyClaimedException;
import dev.mcpbroker.core.idempotency.IdempotencyStore.RecordChangedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The idempotency state machine around one upstream {@code tools/call}:
 *
 * <pre>
 *   (none) --claim--> IN_PROGRESS --completed--> COMPLETED      (replayed to every retry)
 *                         |  |-----ambiguous / lease ran out--> UNKNOWN (never executed again)
 *                         '--notExecuted--> (none)              (upstream certainly not reached)
 * </pre>
 *
 * The caller runs {@link #begin}; only on {@link Decision.Execute} does it call the upstream, and then
 * reports exactly one of {@link #completed}, {@link #ambiguous} or {@link #notExecuted} on the claim.
 * Those three never throw for a store failure: the upstream has been called (or not) by then, and an
 * error about the state store would misreport that to the agent. A claim that could not be updated stays
 * in progress until its lease runs out and is then unknown, which is always a safe outcome.
 */
public final class IdempotencyGuard {

    /*
     * Each further attempt in begin() means another writer changed the record between our read and our
     * write (completed it, declared it unknown, released it). Losing this often means heavy contention on
     * one key; nothing has executed for this request, so "retry shortly" is the honest answer.
     */
    static final int MAX_ATTEMPTS = 4;
    static final Duration CONTENDED_RETRY_AFTER = Duration.ofSeconds(1);

    /** What became of a result handed to {@link #completed}. */
    public enum Completion {
        /** Stored: every retry with the key replays it. */
        STORED,
        /**
         * Not stored, because the record is no longer this claim: typically another instance found its lease
         * expired and declared the outcome unknown. That record is left as it is (retries get "unknown");
         * this caller still answers its own agent with the result it got.
         */
        SUPERSEDED,
        /** Not stored, because the store failed. The claim becomes unknown when its lease runs out. */
        NOT_RECORDED
    }

    private final IdempotencyStore store;
    /** The same store when it records audit events with its writes; null when it does not. */
    private final AuditedIdempotencyStore audited;
    private final Clock clock;
    private final Duration lease;
    private final Duration retention;

    /**
     * @param lease     how long a claim may stay in progress before other instances declare its outcome
     *                  unknown: must exceed the longest upstream call, or a slow but live call is
     *                  declared unknown (safe, but its result is then not replayed)
     * @param retention how long records are kept: the window in which a key is deduplicated. It must
     *                  outlast any claim holder, so it must exceed the lease.
     */
    public IdempotencyGuard(IdempotencyStore store, Clock clock, Duration lease, Duration retention) {
        this.store = Objects.requireNonNull(store, "store");
        this.audited = store instanceof AuditedIdempotencyStore recording ? recording : null;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lease = Objects.requireNonNull(lease, "lease");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive");
        }
        if (retention.compareTo(lease) <= 0) {
            throw new IllegalArgumentException("retention must exceed the lease");
        }
    }

    /**
     * Decides what to do with a call under {@code scope}: one conditional write when the key is new or
     * its record can be decided from what the failed write returned; one more to declare an abandoned
     * claim unknown.
     *
     * @throws StoreUnavailableException when the store fails; nothing has been sent upstream
     */
    public Decision begin(IdempotencyScope scope, String fingerprint) {
        return begin(scope, fingerprint, null);
    }

    /**
     * {@link #begin(IdempotencyScope, String)}, the claim written together with {@code intent}: on
     * {@link Decision.Execute} the intent is recorded; on any other decision it is not (nothing will be sent).
     *
     * @param intent the call's audit intent, unchained; null to record none with the claim
     * @throws IllegalStateException when the store does not record audit events with its writes
     */
    public Decision begin(IdempotencyScope scope, String fingerprint, AuditEvent intent) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (intent != null && audited == null) {
            throw new IllegalStateException("this idempotency store does not record audit events");
        }
        Instant now = clock.instant();
        IdempotencyRecord seen = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (seen == null) {
                try {
                    return new Decision.Execute(intent == null ? store.claim(scope, fingerprint, now, lease, retention)
                            : audited.claim(scope, fingerprint, now, lease, retention, intent));
                } catch (KeyAlreadyClaimedException e) {
                    seen = Objects.requireNonNull(e.existing(), "a refused claim carries the existing record");
                }
            }
            // The arguments are compared first: reusing a key for another call is refused whatever its state.
            if (!seen.fingerprint().equals(fingerprint)) {
                return new Decision.Conflict(seen);
            }
            switch (seen.status()) {
                case COMPLETED:
                    return new Decision.Replay(resultOf(seen));
                case UNKNOWN:
                    return new Decision.Unknown(seen);
                case IN_PROGRESS:
                    if (!seen.isAbandonedAt(now)) {
                        return new Decision.InFlight(Duration.between(now, seen.leaseUntil()));
                    }
                    /*
                     * Its broker died mid-call, or is very late. Recorded as unknown so every later retry
                     * gets the same answer and the late holder cannot complete it. The holder may win the
                     * race instead: then the failed write returns what it wrote, and we decide on that. If
                     * the record is gone (released), the key is free and we claim it.
                     */
                    try {
                        return new Decision.Unknown(store.markUnknown(seen, now));
                    } catch (RecordChangedException e) {
                        seen = e.current().orElse(null);
                    }
                    break;
                default:
                    throw new IllegalStateException("unhandled status " + seen.status());
            }
        }
        return new Decision.InFlight(CONTENDED_RETRY_AFTER);
    }

    /** The upstream answered: stores {@code result} for replay, unless the record is no longer this claim. */
    public Completion completed(IdempotencyRecord claim, String result) {
        return completed(claim, result, null);
    }

    /**
     * {@link #completed(IdempotencyRecord, String)}, the result stored together with {@code outcome}: the outcome is
     * recorded exactly when the result is {@link Completion#STORED}; otherwise the caller records it on its own.
     *
     * @param outcome the call's audit outcome, unchained; null to record none with the result
     */
    public Completion completed(IdempotencyRecord claim, String result, AuditEvent outcome) {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(result, "result");
        if (outcome != null && audited == null) {
            throw new IllegalStateException("this idempotency store does not record audit events");
        }
        try {
            if (outcome == null) {
                store.complete(claim, result, clock.instant());
            } else {
                audited.complete(claim, result, clock.instant(), outcome);
            }
            return Completion.STORED;
        } catch (RecordChangedException e) {
            return Completion.SUPERSEDED;
        } catch (StoreUnavailableException e) {
            return Completion.NOT_RECORDED;
        }
    }

    /**
     * The request may have reached the upstream and no complete answer came back: the outcome is unknown.
     *
     * @return whether this call recorded it; when not, the record was already changed (e.g. declared
     *         unknown by another instance) or the store failed, and the lease turns it unknown anyway
     */
    public boolean ambiguous(IdempotencyRecord claim) {
        Objects.requireNonNull(claim, "claim");
        try {
            store.markUnknown(claim, clock.instant());
            return true;
        } catch (RecordChangedException | StoreUnavailableException e) {
            return false;
        }
    }

    /**
     * The upstream was certainly never reached: gives the key back so a retry executes.
     *
     * @return whether the key was released; when not, the record was no longer this claim (left as it
     *         is) or the store failed (the claim becomes unknown when its lease runs out)
     */
    public boolean notExecuted(IdempotencyRecord claim) {
        Objects.requireNonNull(claim, "claim");
        try {
            store.release(claim);
            return true;
        } catch (RecordChangedException | StoreUnavailableException e) {
            return false;
        }
    }

    /**
     * What became of the operation under {@code scope}. Read-only: an abandoned claim is reported unknown
     * but only {@link #begin} records it so.
     *
     * @throws StoreUnavailableException when the store fails
     */
    public OutcomeView outcome(IdempotencyScope scope) {
        Objects.requireNonNull(scope, "scope");
        Instant now = clock.instant();
        Optional<IdempotencyRecord> found = store.find(scope);
        // TTL deletion lags: a record past its retention is treated as gone, as claim() treats it.
        if (found.isEmpty() || !now.isBefore(found.get().expiresAt())) {
            return new OutcomeView.None();
        }
        IdempotencyRecord record = found.get();
        return switch (record.status()) {
            case COMPLETED -> {
                resultOf(record);
                yield new OutcomeView.Completed(record);
            }
            case UNKNOWN -> new OutcomeView.Unknown(record, false);
            case IN_PROGRESS -> record.isAbandonedAt(now)
                    ? new OutcomeView.Unknown(record, true)
                    : new OutcomeView.InProgress(record, Duration.between(now, record.leaseUntil()));
        };
    }

    /* The store never completes a record without its result; if one says otherwise, the store is broken. */
    private static String resultOf(IdempotencyRecord completed) {
        return completed.storedResult().orElseThrow(
                () -> new StoreUnavailableException("completed idempotency record has no result", null));
    }
}
