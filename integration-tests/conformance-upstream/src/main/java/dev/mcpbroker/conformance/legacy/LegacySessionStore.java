package dev.mcpbroker.conformance.legacy;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The legacy sessions of this process. Ids are 256 random bits, base64url (visible ASCII only). Idle sessions
 * expire, and the store holds a bounded number, so clients that never DELETE cannot grow it without end.
 */
public final class LegacySessionStore {

    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    static final int MAX_SESSIONS = 10_000;

    private final Map<String, LegacySession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public LegacySessionStore(Clock clock) {
        this.clock = clock;
    }

    public LegacySession create(String protocolVersion, ObjectNode clientCapabilities) {
        if (sessions.size() >= MAX_SESSIONS) {
            expireIdle();
        }
        if (sessions.size() >= MAX_SESSIONS) {
            throw new IllegalStateException("too many sessions");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        LegacySession session = new LegacySession(id, protocolVersion, clientCapabilities, clock.millis());
        sessions.put(id, session);
        return session;
    }

    /** The live session with this id (touched), or null. */
    public LegacySession get(String id) {
        LegacySession session = sessions.get(id);
        if (session == null) {
            return null;
        }
        if (clock.millis() - session.lastSeenMillis() > IDLE_TIMEOUT.toMillis()) {
            remove(id);
            return null;
        }
        session.touch(clock.millis());
        return session;
    }

    public boolean isLive(String id) {
        return get(id) != null;
    }

    /** Ends the session; false when there was none. */
    public boolean remove(String id) {
        LegacySession session = sessions.remove(id);
        if (session == null) {
            return false;
        }
        session.close();
        return true;
    }

    public int size() {
        return sessions.size();
    }

    private void expireIdle() {
        long now = clock.millis();
        sessions.values().stream()
                .filter(s -> now - s.lastSeenMillis() > IDLE_TIMEOUT.toMillis())
                .map(LegacySession::id)
                .toList()
                .forEach(this::remove);
    }
}
