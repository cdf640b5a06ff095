package dev.mcpbroker.core.idempotency;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link IdempotencyGuard#begin} decided for a {@code tools/call} carrying an idempotency key. Only
 * {@link Execute} lets the call reach the upstream; every other decision is answered without it.
 */
public sealed interface Decision {

    /** The key was free and is now claimed: call the upstream, then report the outcome on {@code claim}. */
    record Execute(IdempotencyRecord claim) implements Decision {
        public Execute {
            Objects.requireNonNull(claim, "claim");
        }
    }

    /** The operation completed before with the same arguments: answer with its stored result. */
    record Replay(String result) implements Decision {
        public Replay {
            Objects.requireNonNull(result, "result");
        }

        /** The result is whatever the upstream returned: never print it. */
        @Override
        public String toString() {
            return "Replay[" + result.length() + " chars]";
        }
    }

    /** The key was used with other arguments: a deterministic refusal, retrying cannot change it. */
    record Conflict(IdempotencyRecord existing) implements Decision {
        public Conflict {
            Objects.requireNonNull(existing, "existing");
        }
    }

    /**
     * Another attempt holds a live claim. Nothing was executed by this request; by {@code retryAfter}
     * (the rest of that claim's lease) the operation has either completed or become unknown.
     */
    record InFlight(Duration retryAfter) implements Decision {
        public InFlight {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * An earlier attempt may or may not have acted upstream and no answer was recorded: it is never
     * executed again under this key. The agent must check the upstream's state itself.
     */
    record Unknown(IdempotencyRecord record) implements Decision {
        public Unknown {
            Objects.requireNonNull(record, "record");
        }
    }
}
