package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionChanges;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;

/**
 * A request's session, as the request knows it: every message it sends upstream goes through here, in the
 * upstream's own session with its affinity cookies. The record this request works with moves on as the request
 * changes it (new cookies, a re-opened upstream session), always by version-conditioned writes, so concurrent
 * requests of the session never lose each other's changes.
 */
final class BoundSession implements UpstreamBinding {

    private static final System.Logger LOG = System.getLogger(BoundSession.class.getName());

    /** What a bound session uses besides its record: the same for every request. */
    record Collaborators(UpstreamExchange upstream, BrokerMetrics metrics, ObjectMapper mapper) {
    }

    private final UpstreamServer server;
    private final RequestTrace trace;
    private final SessionChanges changes;
    private final Collaborators with;
    private final boolean statelessUpstream;
    private final List<ObjectNode> notifications = new ArrayList<>();
    private BrokerSession current;

    /**
     * @param statelessUpstream the upstream speaks 2026-07-28: the session is the broker's alone, and every message
     *                          goes upstream as a stateless request made with the session's client capabilities
     */
    BoundSession(BrokerSession session, UpstreamServer server, RequestTrace trace, SessionChanges changes,
                 Collaborators collaborators, boolean statelessUpstream) {
        this.current = Objects.requireNonNull(session);
        this.server = Objects.requireNonNull(server);
        this.trace = Objects.requireNonNull(trace);
        this.changes = Objects.requireNonNull(changes);
        this.with = Objects.requireNonNull(collaborators);
        this.statelessUpstream = statelessUpstream;
    }

    String sessionId() {
        return current.sessionId();
    }

    @Override
    public String chainKey() {
        return current.sessionId();
    }

    @Override
    public List<ObjectNode> notifications() {
        return List.copyOf(notifications);
    }

    /**
     * Sends one message in the upstream session. When the upstream says the session is gone, the broker re-opens
     * it with the stored initialize params, then sends the message again only if it is {@code safeToRepeat};
     * anything else gets {@code upstream_session_lost} (not executed: the upstream refused it), never a silent retry.
     */
    @Override
    public UpstreamReply send(ObjectNode message, Map<String, String> headers, boolean safeToRepeat) {
        try {
            return sendOnce(message, headers);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_SESSION_LOST || current.upstreamSessionId() == null) {
                throw e;
            }
        }
        reopenUpstreamSession();
        with.metrics().upstreamSessionReopened(server.id(), safeToRepeat);
        trace.upstreamSessionReopened(safeToRepeat);
        if (!safeToRepeat) {
            throw new BrokerException(ErrorCode.UPSTREAM_SESSION_LOST, "upstream '" + server.id() + "' had lost the session "
                    + "and refused this request unexecuted; the broker re-opened the session but does not repeat a request "
                    + "that may change state: send it again");
        }
        return sendOnce(message, headers);
    }

    @Override
    public ObjectNode request(ObjectNode message, Map<String, String> headers, boolean safeToRepeat) {
        return send(message, headers, safeToRepeat).response().orElseThrow(() -> new BrokerException(
                ErrorCode.UPSTREAM_PROTOCOL_ERROR, "upstream '" + server.id() + "' sent no response"));
    }

    private UpstreamReply sendOnce(ObjectNode message, Map<String, String> headers) {
        UpstreamReply reply;
        if (statelessUpstream) {
            Optional<UpstreamReply> answered = answeredForStatelessUpstream(message);
            if (answered.isPresent()) {
                return answered.get();
            }
            ObjectNode stateless = StatelessTranslation.toStateless(message, ProtocolVersions.V2026_07_28,
                    StatelessTranslation.relayable(initializeParams().path("capabilities")),
                    initializeParams().path("clientInfo"));
            Map<String, String> all = new HashMap<>(headers);
            all.putAll(StatelessTranslation.headers(stateless));
            reply = with.upstream().send(server, stateless, null, ProtocolVersions.V2026_07_28, current.affinity(), all);
        } else {
            reply = with.upstream().send(server, StatelessTranslation.withoutReservedMeta(message),
                    current.upstreamSessionId(), current.protocolVersion(), current.affinity(), headers);
        }
        keepAffinity(reply);
        reply.relayed().stream().filter(relayed -> !relayed.has(JsonRpc.ID)).forEach(notifications::add);
        return reply;
    }

    /**
     * Methods of the session generation a 2026-07-28 upstream no longer has: {@code ping} is the broker's to answer
     * (the session it checks is the broker's); a log level or a resource subscription would need a stream the broker
     * does not hold, so they are refused before the upstream is contacted.
     */
    private Optional<UpstreamReply> answeredForStatelessUpstream(ObjectNode message) {
        String method = message.path(JsonRpc.METHOD).asText("");
        switch (method) {
            case McpMethods.PING -> {
                ObjectNode pong = with.mapper().createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
                pong.set(JsonRpc.ID, message.get(JsonRpc.ID));
                pong.putObject(JsonRpc.RESULT);
                return Optional.of(new UpstreamReply(200, Optional.empty(), Optional.of(pong), List.of(), List.of()));
            }
            case McpMethods.LOGGING_SET_LEVEL, McpMethods.RESOURCES_SUBSCRIBE, McpMethods.RESOURCES_UNSUBSCRIBE ->
                    throw new BrokerException(ErrorCode.NOT_RELAYABLE, "upstream '" + server.id() + "' speaks MCP "
                            + ProtocolVersions.V2026_07_28 + ", which has no " + method + "; its notifications need a"
                            + " stream the broker does not hold");
            default -> {
                return Optional.empty();
            }
        }
    }

    private ObjectNode initializeParams() {
        try {
            return with.mapper().readTree(current.initializeParams()) instanceof ObjectNode params ? params
                    : with.mapper().createObjectNode();
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "stored initialize params could not be read", e);
        }
    }

    /**
     * Stores cookies the upstream set, merged into whatever concurrent requests stored meanwhile. Failing to store
     * them never fails a call that was executed: the next answer sets them again.
     */
    private void keepAffinity(UpstreamReply reply) {
        if (reply.setCookies().isEmpty() || current.affinity().merge(reply.setCookies()).equals(current.affinity())) {
            return;
        }
        try {
            current = changes.apply(current, stored -> {
                UpstreamAffinity merged = stored.affinity().merge(reply.setCookies());
                return merged.equals(stored.affinity()) ? stored : stored.withAffinity(merged);
            });
        } catch (SessionStore.SessionChangedException | SessionChanges.ContendedException | StoreUnavailableException e) {
            LOG.log(Level.INFO, () -> "upstream affinity not stored: " + e.getMessage());
        }
    }

    /**
     * Re-opens the upstream session with the params it was first opened with, and binds the broker session to it
     * with a version-conditioned write. When another request re-opened it first, that session is used and this one
     * ended, so the upstream is left with one session per broker session.
     */
    private void reopenUpstreamSession() {
        BrokerSession lost = current;
        ObjectNode initialize = with.mapper().createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.ID, "broker-reopen")
                .put(JsonRpc.METHOD, McpMethods.INITIALIZE);
        try {
            initialize.set(JsonRpc.PARAMS, with.mapper().readTree(lost.initializeParams()));
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "stored initialize params could not be read", e);
        }
        UpstreamExchange.Opened opened = with.upstream().open(server, initialize);
        if (opened.refused() || !lost.protocolVersion().equals(opened.protocolVersion())) {
            if (!opened.refused()) {
                endQuietly(opened);
            }
            throw new BrokerException(ErrorCode.UPSTREAM_SESSION_LOST, "upstream '" + server.id() + "' lost the session and "
                    + "did not re-open it with the negotiated protocol version; initialize a new session");
        }
        BrokerSession stored;
        try {
            stored = changes.apply(lost, record -> Objects.equals(record.upstreamSessionId(), lost.upstreamSessionId())
                    ? record.withUpstream(opened.upstreamSessionId(), opened.affinity()) : record);
        } catch (SessionStore.SessionChangedException e) {
            endQuietly(opened);
            throw BoundSessions.sessionNotFound(); // ended while this request re-opened it
        } catch (SessionChanges.ContendedException | StoreUnavailableException e) {
            endQuietly(opened);
            throw new BrokerException(ErrorCode.STATE_UNAVAILABLE, "the re-opened upstream session could not be recorded", e);
        }
        if (!Objects.equals(stored.upstreamSessionId(), opened.upstreamSessionId())) {
            endQuietly(opened); // another request re-opened it first: its session is the one kept
        }
        current = stored;
    }

    private void endQuietly(UpstreamExchange.Opened opened) {
        with.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
    }

    @Override
    public String toString() {
        return "BoundSession[" + current + "]";
    }
}
