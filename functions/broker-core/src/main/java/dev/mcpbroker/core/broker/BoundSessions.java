package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionChanges;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Binds a request to its session: the {@code Mcp-Session-Id} and {@code MCP-Protocol-Version} headers are checked,
 * the record is read with a strongly consistent read (no session state lives in a process), and the use is
 * recorded at most once per touch interval. What the request then does in the session is {@link BoundSession}'s.
 */
final class BoundSessions {

    private static final System.Logger LOG = System.getLogger(BoundSessions.class.getName());

    private final SessionStore sessions;
    private final SessionChanges changes;
    private final SessionCapacity capacity;
    private final BoundSession.Collaborators collaborators;
    private final UpstreamGenerations generations;
    private final SessionTimeouts timeouts;
    private final Clock clock;

    BoundSessions(SessionStore sessions, SessionCapacity capacity, BoundSession.Collaborators collaborators,
                  UpstreamGenerations generations, SessionTimeouts timeouts, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions);
        this.changes = new SessionChanges(sessions);
        this.capacity = Objects.requireNonNull(capacity);
        this.collaborators = Objects.requireNonNull(collaborators);
        this.generations = Objects.requireNonNull(generations);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The admitted exchange, bound to the live session it names. */
    Exchange bind(Exchange exchange) {
        BrokerSession session = liveSession(exchange.server(), exchange.owner(), exchange.request().sessionId(),
                exchange.request().protocolVersion());
        exchange.trace().session(SessionIds.hash(session.sessionId()));
        exchange.trace().protocolVersion(session.protocolVersion());
        return exchange.bound(boundTo(touched(exchange.server(), session), exchange));
    }

    /** A session as bound to a request: its messages go to a stateless upstream as stateless requests. */
    BoundSession boundTo(BrokerSession session, Exchange exchange) {
        boolean statelessUpstream = session.upstreamSessionId() == null
                && !generations.learned(exchange.server()).servesSessions();
        return new BoundSession(session, exchange.server(), exchange.trace(), changes, collaborators, statelessUpstream);
    }

    /** Records a use of a session that holds no capacity slot (a virtual server's), at most once per touch interval. */
    BrokerSession touchedWithoutCapacity(BrokerSession session) {
        if (session.holdsCapacity()) {
            throw new IllegalArgumentException("a session holding capacity is touched with its server");
        }
        return touched(null, session);
    }

    /** Records a use, at most once per touch interval (for sessions bound by others, such as held ones). */
    BrokerSession touchedIfDue(UpstreamServer server, BrokerSession session) {
        return touched(server, session);
    }

    /**
     * The session a request belongs to. Unknown, ended, expired, other servers' and other identities'
     * sessions all answer the same 404, so a session id reveals nothing about sessions it does not name.
     */
    BrokerSession liveSession(UpstreamServer server, SessionOwner owner, String sessionId, String protocolVersion) {
        return liveSession(server.id(), owner, sessionId, protocolVersion);
    }

    /** {@link #liveSession(UpstreamServer, SessionOwner, String, String)} of the server (or virtual server) {@code serverId}. */
    BrokerSession liveSession(String serverId, SessionOwner owner, String sessionId, String protocolVersion) {
        if (sessionId == null || sessionId.isEmpty()) {
            throw new BrokerException(ErrorCode.MISSING_SESSION_ID,
                    "the " + McpHeaders.SESSION_ID + " header is required after initialize");
        }
        if (protocolVersion != null && !ProtocolVersions.isSupported(protocolVersion)) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
                    "unsupported " + McpHeaders.PROTOCOL_VERSION + "; supported: " + ProtocolVersions.SUPPORTED);
        }
        if (!SessionIds.isWellFormed(sessionId)) {
            throw sessionNotFound();
        }
        BrokerSession session = sessions.find(sessionId)
                .filter(s -> s.serverId().equals(serverId))
                .filter(s -> s.isOwnedBy(owner))
                .filter(s -> s.isLiveAt(clock.instant()))
                .orElseThrow(BoundSessions::sessionNotFound);
        if (protocolVersion != null && !protocolVersion.equals(session.protocolVersion())) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
                    McpHeaders.PROTOCOL_VERSION + " differs from the version negotiated on initialize");
        }
        return session;
    }

    /**
     * Records the use, at most once per touch interval: the idle deadline moves, and the session's capacity
     * slot is held as long as the session lives.
     */
    private BrokerSession touched(UpstreamServer server, BrokerSession session) {
        Instant now = clock.instant();
        if (!session.needsTouch(now, timeouts.touchInterval())) {
            return session;
        }
        BrokerSession touched;
        try {
            touched = changes.apply(session, current -> current.needsTouch(now, timeouts.touchInterval())
                    ? current.touched(now, timeouts) : current);
        } catch (SessionStore.SessionChangedException e) {
            throw sessionNotFound(); // ended by a concurrent request
        } catch (SessionChanges.ContendedException e) {
            return session; // concurrent requests touched it
        }
        if (touched.holdsCapacity() && touched != session) {
            boolean held = capacity.hold(server, touched.owner(), touched.sessionId(), touched.slots(), touched.endOfLife());
            if (!held) {
                LOG.log(Level.WARNING, () -> "the capacity slot of " + touched + " had expired and was taken");
            }
        }
        return touched;
    }

    static BrokerException sessionNotFound() {
        return new BrokerException(ErrorCode.SESSION_NOT_FOUND, "session not found; initialize a new session");
    }
}
