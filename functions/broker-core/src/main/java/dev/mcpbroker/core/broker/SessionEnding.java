package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.util.Objects;

/**
 * {@code DELETE}: ends the record first (conditionally, so it happens once and no instance serves the session
 * again), then frees its capacity slot and ends the upstream session.
 */
final class SessionEnding {

    private final BoundSessions bound;
    private final SessionStore sessions;
    private final SessionCapacity capacity;
    private final UpstreamExchange upstream;
    private final AuditBracket audit;
    private final BrokerMetrics metrics;
    private final Clock clock;

    SessionEnding(BoundSessions bound, BrokerPorts ports, AuditBracket audit, Clock clock) {
        this.bound = Objects.requireNonNull(bound);
        this.sessions = ports.sessions();
        this.capacity = ports.capacity();
        this.upstream = ports.upstream();
        this.metrics = ports.metrics();
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * @param subject what the audit trail records of the request so far (tenant of the allowlist, no session yet)
     */
    BrokerResponse end(Admission.Admitted admitted, AuditTrail.Subject subject, String sessionId, String protocolVersion,
                       RequestTrace trace) {
        UpstreamServer server = admitted.server();
        BrokerSession session = bound.liveSession(server, admitted.owner(), sessionId, protocolVersion);
        trace.session(SessionIds.hash(session.sessionId()));
        trace.protocolVersion(session.protocolVersion());
        audit.allowed(subject.withSession(session.sessionId()), "session_ended");
        BrokerSession ended;
        try {
            ended = sessions.end(session.sessionId(), session.version(), clock.instant());
        } catch (SessionStore.SessionChangedException e) {
            // Ended or changed by a concurrent request: to this caller the session is gone either way.
            throw BoundSessions.sessionNotFound();
        }
        if (ended.holdsCapacity()) {
            capacity.release(server, ended.owner(), ended.sessionId(), ended.slots());
        }
        metrics.sessionEnded(server.id());
        upstream.terminateQuietly(server, ended.upstreamSessionId(), ended.protocolVersion(), ended.affinity());
        return BrokerResponse.noContent();
    }
}
