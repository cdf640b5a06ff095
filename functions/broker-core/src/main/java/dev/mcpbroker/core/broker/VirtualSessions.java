package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionSlots;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * A legacy (2025-11-25) agent's session on a virtual server. It is the broker's alone: {@code initialize} contacts no
 * member and is answered by the broker; the record (no upstream session, no capacity slot) keeps the agent's client
 * capabilities and info, with which each member is reached when a request needs it, a legacy member through a
 * session the broker holds for this virtual session ({@link HeldSessions}, scoped by its id). {@code DELETE} ends the
 * record and then every member session held for it.
 */
final class VirtualSessions {

    private static final System.Logger LOG = System.getLogger(VirtualSessions.class.getName());

    private final SessionStore sessions;
    private final BoundSessions bound;
    private final UpstreamRegistry upstreams;
    private final SessionCapacity capacity;
    private final UpstreamExchange upstream;
    private final BrokerMetrics metrics;
    private final AuditBracket audit;
    private final SessionIds ids;
    private final ObjectMapper mapper;
    private final SessionTimeouts timeouts;
    private final Clock clock;

    VirtualSessions(BrokerPorts ports, BoundSessions bound, AuditBracket audit, SessionIds ids, ObjectMapper mapper,
                    SessionTimeouts timeouts, Clock clock) {
        this.sessions = ports.sessions();
        this.upstreams = ports.upstreams();
        this.capacity = ports.capacity();
        this.upstream = ports.upstream();
        this.metrics = ports.metrics();
        this.bound = Objects.requireNonNull(bound);
        this.audit = Objects.requireNonNull(audit);
        this.ids = Objects.requireNonNull(ids);
        this.mapper = Objects.requireNonNull(mapper);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The agent's initialize: a broker session of the virtual server, answered with what the virtual server offers. */
    BrokerResponse open(VirtualServer server, SessionOwner owner, JsonRpcMessage.Request initialize,
                        AuditTrail.Subject subject) {
        String requested = initialize.params().path("protocolVersion").asText("");
        String version = ProtocolVersions.isSupported(requested) ? requested : ProtocolVersions.SUPPORTED.get(0);
        String sessionId = ids.mint();
        audit.allowed(subject.withSession(sessionId), "virtual_session_opened");
        sessions.create(BrokerSession.open(sessionId, owner, server.name(), null, version,
                initialize.params().toString(), UpstreamAffinity.NONE, clock.instant(), timeouts, SessionSlots.NO_SLOTS,
                null));
        ObjectNode result = mapper.createObjectNode().put("protocolVersion", version);
        result.set("capabilities", VirtualCapabilities.forSessions(mapper));
        result.putObject("serverInfo").put("name", server.name()).put("version", "1");
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", initialize.id());
        response.set("result", result);
        return BrokerResponse.json(response).withHeader(McpHeaders.SESSION_ID, sessionId);
    }

    /** The live virtual session a later request names (404 for anything else, as for any session). */
    BrokerSession bind(VirtualServer server, SessionOwner owner, BrokerRequest request) {
        BrokerSession session = bound.liveSession(server.name(), owner, request.sessionId(), request.protocolVersion());
        return bound.touchedWithoutCapacity(session);
    }

    /** The client capabilities and info the agent declared at initialize. */
    ObjectNode initializeParams(BrokerSession session) {
        try {
            return (ObjectNode) mapper.readTree(session.initializeParams());
        } catch (IOException | ClassCastException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "a virtual session's initialize params are unreadable", e);
        }
    }

    /** {@code DELETE}: the record first (conditionally, once), then each member session held for it. */
    BrokerResponse end(VirtualServer server, SessionOwner owner, BrokerRequest request, AuditTrail.Subject subject) {
        BrokerSession session = bound.liveSession(server.name(), owner, request.sessionId(), request.protocolVersion());
        audit.allowed(subject.withSession(session.sessionId()), "session_ended");
        try {
            sessions.end(session.sessionId(), session.version(), clock.instant());
        } catch (SessionStore.SessionChangedException e) {
            throw BoundSessions.sessionNotFound();
        }
        metrics.sessionEnded(server.name());
        ObjectNode params = initializeParams(session);
        for (VirtualMember member : server.members()) {
            endHeld(member, owner, params, session.sessionId());
        }
        return BrokerResponse.noContent();
    }

    /** Ends the member session held for a virtual session, if there is one; one that cannot be ended expires idle. */
    private void endHeld(VirtualMember member, SessionOwner owner, ObjectNode params, String virtualSessionId) {
        try {
            Optional<UpstreamServer> server = upstreams.find(member.serverId());
            if (server.isEmpty()) {
                return;
            }
            JsonNode capabilities = params.path("capabilities");
            String heldId = HeldSessions.heldId(owner, member.serverId(),
                    HeldSessions.initializeParams(mapper, capabilities, params.path("clientInfo")), virtualSessionId);
            Optional<BrokerSession> held = sessions.find(heldId)
                    .filter(s -> s.isLiveAt(clock.instant()) && s.isOwnedBy(owner));
            if (held.isEmpty()) {
                return;
            }
            BrokerSession ended = sessions.end(heldId, held.get().version(), clock.instant());
            if (ended.holdsCapacity()) {
                capacity.release(server.get(), ended.owner(), ended.sessionId(), ended.slots());
            }
            upstream.terminateQuietly(server.get(), ended.upstreamSessionId(), ended.protocolVersion(), ended.affinity());
        } catch (SessionStore.SessionChangedException | StoreUnavailableException | BrokerException e) {
            LOG.log(Level.INFO, () -> "the session held with member " + member.serverId()
                    + " is left to expire: " + e.getMessage());
        }
    }
}
