package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.CanonicalJson;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessMessages;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Upstream sessions the broker holds for stateless (2026-07-28) agents of a legacy upstream. One session per tenant,
 * agent, server and client-capability profile, under an id derived from them, so every instance finds the same one:
 * stored like any broker session (conditional writes, idle timeout, healing, affinity) and counted against the
 * server's cap. Two instances opening it at once leave one: the loser ends its upstream session and uses the winner's.
 * Capabilities the broker cannot relay to a stateless agent (sampling, elicitation, roots) are not offered upstream.
 */
final class HeldSessions {

    private final SessionStore sessions;
    private final SessionCapacity capacity;
    private final UpstreamExchange upstream;
    private final BoundSessions bound;
    private final AuditBracket audit;
    private final ObjectMapper mapper;
    private final SessionTimeouts timeouts;
    private final Clock clock;

    HeldSessions(BrokerPorts ports, BoundSessions bound, AuditBracket audit, ObjectMapper mapper, SessionTimeouts timeouts,
                 Clock clock) {
        this.sessions = ports.sessions();
        this.capacity = ports.capacity();
        this.upstream = ports.upstream();
        this.bound = Objects.requireNonNull(bound);
        this.audit = Objects.requireNonNull(audit);
        this.mapper = Objects.requireNonNull(mapper);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The admitted stateless request, bound to the session the broker holds for its identity and capabilities. */
    Exchange bind(Exchange exchange) {
        return bind(exchange, null);
    }

    /**
     * @param scope what else the held session belongs to (a virtual server's session holds its own session with each
     *              legacy member); null: shared by every request of the identity and client profile
     */
    Exchange bind(Exchange exchange, String scope) {
        ObjectNode params = initializeParams(exchange);
        String id = heldId(exchange.owner(), exchange.server().id(), params, scope);
        Optional<BrokerSession> held = sessions.find(id)
                .filter(session -> session.isLiveAt(clock.instant()) && session.isOwnedBy(exchange.owner()));
        BrokerSession session = held.isPresent() ? bound.touchedIfDue(exchange.server(), held.get())
                : open(exchange, id, params);
        return exchange.bound(bound.boundTo(session, exchange));
    }

    /** The initialize params the broker opens the held session with: the agent's client, minus what it cannot relay. */
    private ObjectNode initializeParams(Exchange exchange) {
        return initializeParams(mapper,
                StatelessMessages.clientCapabilities(exchange.message()).orElse(mapper.createObjectNode()),
                exchange.message().json().path(JsonRpc.PARAMS).path("_meta").path(dev.mcpbroker.core.mcp.McpMeta.CLIENT_INFO));
    }

    /** The initialize params of a held session for a client of these capabilities and info. */
    static ObjectNode initializeParams(ObjectMapper mapper, JsonNode capabilities, JsonNode clientInfo) {
        ObjectNode params = mapper.createObjectNode().put("protocolVersion", ProtocolVersions.SUPPORTED.get(0));
        params.set("capabilities", StatelessTranslation.relayable(capabilities));
        params.set("clientInfo", clientInfo.isObject() ? clientInfo
                : mapper.createObjectNode().put("name", "mcp-broker-stateless-client").put("version", "1"));
        return params;
    }

    private BrokerSession open(Exchange exchange, String id, ObjectNode params) {
        UpstreamServer server = exchange.server();
        SessionCapacity.Acquired slots = capacity.acquire(server, exchange.owner(), id);
        boolean stored = false;
        try {
            ObjectNode initialize = mapper.createObjectNode()
                    .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                    .put(JsonRpc.ID, "broker-held")
                    .put(JsonRpc.METHOD, McpMethods.INITIALIZE);
            initialize.set(JsonRpc.PARAMS, params);
            audit.allowed(exchange.subject().withSession(id), "held_session_opened");
            UpstreamExchange.Opened opened = upstream.open(server, initialize);
            if (opened.refused()) {
                throw new BrokerException(ErrorCode.UPSTREAM_REJECTED, "upstream '" + server.id()
                        + "' refused the session the broker opens for stateless requests");
            }
            BrokerSession session = BrokerSession.open(id, exchange.owner(), server.id(), opened.upstreamSessionId(),
                    opened.protocolVersion(), params.toString(), opened.affinity(), clock.instant(), timeouts,
                    slots.slots(), null);
            try {
                capacity.hold(slots.leases(), session.endOfLife());
                sessions.createUnlessLive(session, clock.instant());
                stored = true;
                return session;
            } catch (SessionStore.SessionAlreadyExistsException lostTheRace) {
                upstream.terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
                return sessions.find(id).filter(winner -> winner.isLiveAt(clock.instant()))
                        .orElseThrow(() -> new BrokerException(ErrorCode.STATE_UNAVAILABLE,
                                "the held session kept changing; retry"));
            } catch (StoreUnavailableException e) {
                upstream.terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
                throw e;
            }
        } finally {
            if (!stored) {
                capacity.release(server, exchange.owner(), id, slots.slots());
            }
        }
    }

    /** One held session per tenant, agent, server and client profile: 43 base64url characters, with a marking prefix. */
    static String heldId(SessionOwner owner, String serverId, ObjectNode initializeParams) {
        return heldId(owner, serverId, initializeParams, null);
    }

    /** {@link #heldId(SessionOwner, String, ObjectNode)} within a scope of its own (null: none). */
    static String heldId(SessionOwner owner, String serverId, ObjectNode initializeParams, String scope) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String[] parts = scope == null ? new String[] {owner.tenantId(), owner.agentId(), serverId}
                    : new String[] {owner.tenantId(), owner.agentId(), serverId, "scope", scope};
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                sha.update(bytes);
            }
            sha.update(CanonicalJson.bytes(initializeParams));
            return "held-" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
