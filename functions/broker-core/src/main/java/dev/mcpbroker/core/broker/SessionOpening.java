package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.session.TaskSessionCounter;
import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code initialize}: a slot of the server's session cap first (waiting in its queue if need be), then the upstream
 * session (a pre-initialised one from the warm pool when there is one), then the record, written so it can never
 * overwrite another. Whatever fails, the slot is released and no upstream session is left behind. The agent gets
 * the upstream's initialize result and the broker's own session id; the upstream's never leaves the broker.
 */
final class SessionOpening {

    private static final System.Logger LOG = System.getLogger(SessionOpening.class.getName());
    /** How long a task's session count is kept after its last session opened. */
    private static final Duration TASK_MEMORY = Duration.ofDays(1);
    private static final int MAX_TASK_ID_LENGTH = 128;

    private final SessionStore sessions;
    private final SessionCapacity capacity;
    private final WarmSessions warmSessions;
    private final TaskSessionCounter tasks;
    private final UpstreamExchange upstream;
    private final AuditBracket audit;
    private final BrokerMetrics metrics;
    private final Replies replies;
    private final SessionIds ids;
    private final UpstreamGenerations generations;
    private final SessionTimeouts timeouts;
    private final Clock clock;

    SessionOpening(BrokerPorts ports, AuditBracket audit, Replies replies, SessionIds ids, UpstreamGenerations generations,
                   SessionTimeouts timeouts, Clock clock) {
        this.sessions = ports.sessions();
        this.capacity = ports.capacity();
        this.warmSessions = ports.warmSessions();
        this.tasks = ports.tasks();
        this.upstream = ports.upstream();
        this.metrics = ports.metrics();
        this.audit = Objects.requireNonNull(audit);
        this.replies = Objects.requireNonNull(replies);
        this.ids = Objects.requireNonNull(ids);
        this.generations = Objects.requireNonNull(generations);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.clock = Objects.requireNonNull(clock);
    }

    /** The upstream session an initialize got, how it was opened, and the params to re-open it with. */
    private record Opening(UpstreamExchange.Opened opened, String initializeParams, boolean warm) {
    }

    BrokerResponse open(Exchange exchange) {
        String taskId = taskId(exchange.request());
        UpstreamServer server = exchange.server();
        // The id is minted first so the session's audit chain starts with its own initialize.
        String sessionId = ids.mint();
        exchange.trace().session(SessionIds.hash(sessionId));
        SessionCapacity.Acquired slot;
        try {
            slot = capacity.acquire(server, exchange.owner(), sessionId);
        } catch (BrokerException e) {
            if (e.code() == ErrorCode.SESSION_CAPACITY_EXHAUSTED) {
                metrics.sessionCapacityExhausted(server.id());
            }
            throw e;
        }
        boolean stored = false;
        try {
            Opening opening = upstreamSession(exchange, exchange.subject().withSession(sessionId));
            UpstreamExchange.Opened opened = opening.opened();
            exchange.trace().protocolVersion(opened.protocolVersion());
            if (opened.refused()) {
                return BrokerResponse.json(opened.response()); // the upstream refused; no session exists anywhere
            }
            BrokerSession session = BrokerSession.open(sessionId, exchange.owner(), server.id(), opened.upstreamSessionId(),
                    opened.protocolVersion(), opening.initializeParams(), opened.affinity(), clock.instant(), timeouts,
                    slot.slots(), taskId);
            record(session, slot, opened, server);
            stored = true;
            metrics.sessionOpened(server.id(), opening.warm(), slot.waited());
            countTaskSession(server, exchange.owner(), taskId);
            LOG.log(Level.DEBUG, () -> "opened " + session);
            return BrokerResponse.json(opened.response()).withHeader(McpHeaders.SESSION_ID, sessionId);
        } finally {
            if (!stored) {
                capacity.release(server, exchange.owner(), sessionId, slot.slots());
            }
        }
    }

    /**
     * A legacy agent's initialize goes to the upstream as it is unless the broker already knows the upstream serves no
     * sessions: asking first would contact the upstream before the intent is recorded, and most upstreams do serve
     * them. Only an upstream refusing the initialize is asked which generation it speaks.
     */
    private Opening upstreamSession(Exchange exchange, AuditTrail.Subject subject) {
        JsonRpcMessage.Request request = exchange.jsonRpcRequest();
        Optional<UpstreamGenerations.Learned> known = generations.known(exchange.server());
        if (known.isPresent() && !known.get().servesSessions()) {
            audit.allowed(subject, "stateless_upstream");
            return brokerOwned(exchange, known.get());
        }
        String requestedVersion = request.params().path("protocolVersion").asText("");
        Optional<WarmSession> warm = warmSessions.take(exchange.server(), requestedVersion);
        if (warm.isPresent()) {
            audit.allowed(subject, "warm_session");
            ObjectNode answer = replies.storedResult(request.id(), warm.get().initializeResult());
            return new Opening(new UpstreamExchange.Opened(answer, warm.get().upstreamSessionId(),
                    warm.get().protocolVersion(), warm.get().affinity()), warm.get().initializeParams(), true);
        }
        return audit.around(subject, () -> coldOrBrokerOwned(exchange), opening -> opening.opened().response());
    }

    private Opening coldOrBrokerOwned(Exchange exchange) {
        JsonRpcMessage.Request request = exchange.jsonRpcRequest();
        if (exchange.server().declaredGeneration().orElse(null) == McpMethod.Generation.STATELESS) {
            UpstreamGenerations.Learned learned = generations.learned(exchange.server());
            if (!learned.servesSessions()) {
                return brokerOwned(exchange, learned);
            }
        }
        UpstreamExchange.Opened cold;
        try {
            cold = upstream.open(exchange.server(), offered(request.json()));
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_REJECTED && e.code() != ErrorCode.UPSTREAM_PROTOCOL_ERROR) {
                throw e;
            }
            UpstreamGenerations.Learned learned = generations.learned(exchange.server());
            if (learned.servesSessions()) {
                throw e;
            }
            return brokerOwned(exchange, learned);
        }
        if (cold.refused()) {
            UpstreamGenerations.Learned learned = generations.learned(exchange.server());
            if (!learned.servesSessions()) {
                return brokerOwned(exchange, learned);
            }
        }
        return new Opening(cold, request.params().toString(), false);
    }

    /** No upstream session to open: the session is the broker's, and each request goes upstream stateless. */
    private Opening brokerOwned(Exchange exchange, UpstreamGenerations.Learned learned) {
        JsonRpcMessage.Request request = exchange.jsonRpcRequest();
        String requestedVersion = request.params().path("protocolVersion").asText("");
        String version = ProtocolVersions.isSupported(requestedVersion) ? requestedVersion : ProtocolVersions.SUPPORTED.get(0);
        ObjectNode result = replies.object().put("protocolVersion", version);
        result.set("capabilities", StatelessTranslation.sessionCapabilities(learned.discovery().path("capabilities")));
        JsonNode serverInfo = learned.discovery().path(McpMeta.META).path(McpMeta.SERVER_INFO);
        result.set("serverInfo", serverInfo.isObject() ? serverInfo
                : replies.object().put("name", exchange.server().id()).put("version", "1"));
        if (learned.discovery().path("instructions").isTextual()) {
            result.put("instructions", learned.discovery().path("instructions").asText());
        }
        return new Opening(new UpstreamExchange.Opened(replies.result(request.id(), result), null, version,
                UpstreamAffinity.NONE), request.params().toString(), false);
    }

    /**
     * The agent's initialize as the upstream gets it: without the capabilities that would let the upstream ask the
     * agent something mid-request (sampling, elicitation, roots). The broker answers a POST with one buffered body,
     * so such a question could never reach the agent before the upstream gave up waiting for its answer.
     */
    private static ObjectNode offered(ObjectNode initialize) {
        JsonNode capabilities = initialize.path(JsonRpc.PARAMS).path("capabilities");
        ObjectNode relayable = StatelessTranslation.relayable(capabilities);
        if (relayable.equals(capabilities)) {
            return initialize;
        }
        ObjectNode copy = initialize.deepCopy();
        ((ObjectNode) copy.get(JsonRpc.PARAMS)).set("capabilities", relayable);
        return copy;
    }

    /** Holds the slot until the session's end of life and stores the record; without a record no instance could serve it. */
    private void record(BrokerSession session, SessionCapacity.Acquired slot, UpstreamExchange.Opened opened,
                        UpstreamServer server) {
        try {
            if (!capacity.hold(slot.leases(), session.endOfLife())) {
                LOG.log(Level.WARNING, () -> "the session slot of " + session + " expired during initialize and was taken");
            }
            sessions.create(session);
        } catch (StoreUnavailableException | SessionStore.SessionAlreadyExistsException e) {
            // Do not leave the upstream session behind.
            upstream.terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
            if (e instanceof StoreUnavailableException unavailable) {
                throw unavailable;
            }
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "session id collision", e);
        }
    }

    private void countTaskSession(UpstreamServer server, SessionOwner owner, String taskId) {
        if (taskId == null) {
            return;
        }
        try {
            long count = tasks.countSession(owner.tenantId(), taskId, clock.instant().plus(TASK_MEMORY));
            metrics.sessionsPerTask(server.id(), count);
        } catch (StoreUnavailableException e) {
            // A metric is not worth failing an opened session for.
            LOG.log(Level.INFO, () -> "task session count not updated: " + e.getMessage());
        }
    }

    private static String taskId(BrokerRequest request) {
        String taskId = request.taskId();
        if (taskId == null || taskId.isEmpty()) {
            return null;
        }
        if (taskId.length() > MAX_TASK_ID_LENGTH || !taskId.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "the " + McpHeaders.TASK_ID + " header is 1 to "
                    + MAX_TASK_ID_LENGTH + " visible ASCII characters");
        }
        return taskId;
    }
}
