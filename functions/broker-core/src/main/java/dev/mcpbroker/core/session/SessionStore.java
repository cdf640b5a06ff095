package dev.mcpbroker.core.session;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where sessions live between requests. Every change is a conditional write, so two broker instances can
 * never silently overwrite each other. Implementations translate their storage errors into the unchecked
 * exceptions nested here, one per failure mode.
 */
public interface SessionStore {

    /**
     * Stores a new session.
     *
     * @throws SessionAlreadyExistsException when a session with that id exists (it is never overwritten)
     * @throws StoreUnavailableException     when the store could not be asked
     */
    void create(BrokerSession session);

    /**
     * Stores a session under an id the caller chose (a session the broker holds for stateless agents), taking the
     * place of an ended or expired session of that id, never of a live one.
     *
     * @throws SessionAlreadyExistsException when a live session has that id
     * @throws StoreUnavailableException     when the store could not be asked
     */
    void createUnlessLive(BrokerSession session, Instant now);

    /**
     * Reads a session with a strongly consistent read.
     *
     * @throws StoreUnavailableException when the store could not be asked
     */
    Optional<BrokerSession> find(String sessionId);

    /**
     * Replaces an active session with {@code next} (whose version is {@code expectedVersion + 1}), if the
     * stored one is still at {@code expectedVersion}. Use {@link SessionChanges} rather than calling this
     * directly: it re-reads and re-applies a change that lost a race.
     *
     * @throws SessionChangedException   when the session is gone, ended, or changed meanwhile (carrying
     *                                   the stored session, so the caller need not read it again)
     * @throws StoreUnavailableException when the store could not be asked
     */
    void replace(BrokerSession next, long expectedVersion);

    /**
     * Marks an active session ended, if its version is still {@code expectedVersion}.
     *
     * @return the ended session
     * @throws SessionChangedException   when the session is gone, already ended, or changed meanwhile
     * @throws StoreUnavailableException when the store could not be asked
     */
    BrokerSession end(String sessionId, long expectedVersion, Instant at);

    /** A session with this id already exists. */
    final class SessionAlreadyExistsException extends RuntimeException {
        public SessionAlreadyExistsException(String message) {
            super(message);
        }
    }

    /** A conditional change failed because the stored session is not in the expected state. */
    final class SessionChangedException extends RuntimeException {
        private final transient BrokerSession current;

        public SessionChangedException(String message, BrokerSession current) {
            super(message);
            this.current = current;
        }

        /** The stored session when the condition failed, if there was one. */
        public Optional<BrokerSession> current() {
            return Optional.ofNullable(current);
        }
    }

}
