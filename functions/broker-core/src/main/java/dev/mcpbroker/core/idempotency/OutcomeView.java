package dev.mcpbroker.core.idempotency;

import java.time.Duration;
import java.util.Objects;

/** The answer to an outcome query: what became of the operation under a key. Reading never changes it. */
public sealed interface OutcomeView {

    /** No operation under this key within the retention period (never used, released, or expired). */
    record None() implements OutcomeView {
    }

    /** An attempt holds a live claim; {@code retryAfter} is the rest of its lease. */
    record InProgress(IdempotencyRecord record, Duration retryAfter) implements OutcomeView {
        public InProgress {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** The upstream answered; the answer is {@link #result()}. The record's toString hides it. */
    record Completed(IdempotencyRecord record) implements OutcomeView {
        public Completed {
            Objects.requireNonNull(record, "record");
            if (record.storedResult().isEmpty()) {
                throw new IllegalArgumentException("a completed outcome needs its result");
            }
        }

        public String result() {
            return record.result();
        }
    }

    /**
     * The outcome is unknown. {@code abandoned}: the record still says in progress but its lease ran out,
     * so its broker died mid-call; the next {@link IdempotencyGuard#begin} will record it as unknown.
     */
    record Unknown(IdempotencyRecord record, boolean abandoned) implements OutcomeView {
        public Unknown {
            Objects.requireNonNull(record, "record");
        }
    }
}
