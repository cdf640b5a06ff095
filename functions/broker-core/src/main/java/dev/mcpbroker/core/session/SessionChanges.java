package dev.mcpbroker.core.session;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of a session record without lost updates. A change is a function of the current
 * session; it is written with the version it was computed from as the condition, and when another
 * request changed the session first, it is computed again from what that request stored. Two
 * concurrent requests each adding a cookie both end up in the record; a blind write would drop one.
 */
public final class SessionChanges {

    /**
     * A change loses a race only to another change that was stored, so n concurrent changes cost one of them at
     * most n - 1 attempts; 20 requests on one session each storing a cookie once need up to 20. The bound sits well
     * above the concurrency a session sees and only stops a pathological loop.
     */
    static final int MAX_ATTEMPTS = 64;

    private final SessionStore store;

    public SessionChanges(SessionStore store) {
        this.store = Objects.requireNonNull(store);
    }

    /**
     * Applies {@code change} to the freshest version of the session.
     *
     * @param read   the session as last read
     * @param change returns its argument unchanged (the same instance) when there is nothing to change,
     *               otherwise the changed session at the argument's version + 1
     * @return the session as stored after the change (or as found, when nothing needed changing)
     * @throws SessionStore.SessionChangedException when the session ended or disappeared meanwhile
     * @throws ContendedException                   when the change kept losing races
     */
    public BrokerSession apply(BrokerSession read, UnaryOperator<BrokerSession> change) {
        BrokerSession current = read;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            BrokerSession next = change.apply(current);
            if (next == current) {
                return current;
            }
            if (next.version() != current.version() + 1 || !next.sessionId().equals(current.sessionId())) {
                throw new IllegalArgumentException("a change must produce the same session at the next version");
            }
            try {
                store.replace(next, current.version());
                return next;
            } catch (SessionStore.SessionChangedException e) {
                BrokerSession stored = e.current().orElseThrow(() -> e);
                if (stored.state() != BrokerSession.State.ACTIVE) {
                    throw e;
                }
                current = stored;
            }
        }
        throw new ContendedException("session " + SessionIds.redact(read.sessionId()) + " kept changing; "
                + MAX_ATTEMPTS + " attempts lost");
    }

    /** A change lost every attempt to concurrent changes. */
    public static final class ContendedException extends RuntimeException {
        public ContendedException(String message) {
            super(message);
        }
    }
}
