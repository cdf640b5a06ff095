package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link SessionStore} in memory, with the DynamoDB adapter's conditions: never overwrite, change only from the version read. */
public final class InMemorySessionStore extends Availability implements SessionStore {

    private final Map<String, BrokerSession> sessions = new HashMap<>();

    @Override
    public synchronized void create(BrokerSession session) {
        answer("create");
        if (sessions.putIfAbsent(session.sessionId(), session) != null) {
            throw new SessionAlreadyExistsException("a session with id " + SessionIds.redact(session.sessionId()) + " exists");
        }
    }

    @Override
    public synchronized void createUnlessLive(BrokerSession session, Instant now) {
        answer("create");
        BrokerSession current = sessions.get(session.sessionId());
        if (current != null && current.isLiveAt(now)) {
            throw new SessionAlreadyExistsException("a live session with id " + SessionIds.redact(session.sessionId()) + " exists");
        }
        sessions.put(session.sessionId(), session);
    }

    /** Every session stored, whatever its state: what a test can ask of a real table by scanning it. */
    public synchronized java.util.List<BrokerSession> all() {
        return java.util.List.copyOf(sessions.values());
    }

    @Override
    public synchronized Optional<BrokerSession> find(String sessionId) {
        answer("find");
        return Optional.ofNullable(sessions.get(sessionId));
    }

    @Override
    public synchronized void replace(BrokerSession next, long expectedVersion) {
        answer("replace");
        requireActiveAt(next.sessionId(), expectedVersion);
        sessions.put(next.sessionId(), next);
    }

    @Override
    public synchronized BrokerSession end(String sessionId, long expectedVersion, Instant at) {
        answer("end");
        BrokerSession ended = requireActiveAt(sessionId, expectedVersion).ended();
        sessions.put(sessionId, ended);
        return ended;
    }

    private BrokerSession requireActiveAt(String sessionId, long expectedVersion) {
        BrokerSession current = sessions.get(sessionId);
        if (current == null || current.state() != BrokerSession.State.ACTIVE || current.version() != expectedVersion) {
            throw new SessionChangedException("session is not active at version " + expectedVersion, current);
        }
        return current;
    }
}
