package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamException;
import dev.mcpbroker.core.upstream.UpstreamFailures;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The broker's request path for one agent-facing MCP endpoint per upstream server. It holds no session
 * state of its own: every request reads the session from the {@link SessionStore}, so any instance can
 * serve any request.
 */
public final class McpBroker {

    private static final System.Logger LOG = System.getLogger(McpBroker.class.getName());

    private final JsonRpcCodec codec;
    private final SessionStore sessions;
    private final UpstreamRegistry upstreams;
    private final UpstreamClient upstreamClient;
    private final SessionIds sessionIds;
    private final Clock clock;
    private final BrokerSettings settings;

    public McpBroker(JsonRpcCodec codec, SessionStore sessions, UpstreamRegistry upstreams, UpstreamClient upstreamClient,
                     SessionIds sessionIds, Clock clock, BrokerSettings settings) {
        this.codec = Objects.requireNonNull(codec);
        this.sessions = Objects.requireNonNull(sessions);
        this.upstreams = Objects.requireNonNull(upstreams);
        this.upstreamClient = Objects.requireNonNull(upstreamClient);
        this.sessionIds = Objects.requireNonNull(sessionIds);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
    }

    /** Handles one POSTed JSON-RPC message. */
    public BrokerResponse post(BrokerRequest request) {
        if (request.body() == null || request.body().length > settings.maxBodyBytes()) {
            throw new BrokerException(ErrorCode.BODY_TOO_LARGE,
                    "request body exceeds " + settings.maxBodyBytes() + " bytes");
        }
        JsonRpcMessage message = codec.parse(request.body());
        JsonNode requestId = message instanceof JsonRpcMessage.Request r ? r.id() : null;
        try {
            UpstreamServer server = server(request.serverId());
            if (message instanceof JsonRpcMessage.Request r && McpMethods.INITIALIZE.equals(r.method())) {
                return initialize(server, r);
            }
            BrokerSession session = liveSession(server, request.sessionId(), request.protocolVersion());
            return switch (message) {
                case JsonRpcMessage.Request r -> forward(server, session, r);
                case JsonRpcMessage.Notification n -> notifyUpstream(server, session, n);
                case JsonRpcMessage.Response r -> relayResponse(server, session, r);
            };
        } catch (BrokerException e) {
            throw requestId == null ? e : e.withRequestId(requestId);
        } catch (StoreUnavailableException e) {
            BrokerException error = new BrokerException(ErrorCode.STATE_UNAVAILABLE, "session state is unavailable", e);
            throw requestId == null ? error : error.withRequestId(requestId);
        }
    }

    /** Ends a session: the record first, so no instance serves it again, then the upstream session. */
    public BrokerResponse delete(String serverId, String sessionId, String protocolVersion) {
        try {
            UpstreamServer server = server(serverId);
            BrokerSession session = liveSession(server, sessionId, protocolVersion);
            BrokerSession ended;
            try {
                ended = sessions.end(session.sessionId(), session.version(), clock.instant());
            } catch (SessionStore.SessionChangedException e) {
                // Ended or changed by a concurrent request: to this caller the session is gone either way.
                throw sessionNotFound();
            }
            ended.upstreamSession().ifPresent(upstreamId -> terminateQuietly(server, upstreamId, ended.protocolVersion()));
            return BrokerResponse.noContent();
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.STATE_UNAVAILABLE, "session state is unavailable", e);
        }
    }

    private BrokerResponse initialize(UpstreamServer server, JsonRpcMessage.Request request) {
        UpstreamReply reply = send(server, new UpstreamCall(request.json(), null, null, Map.of()));
        ObjectNode response = reply.response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "upstream '" + server.id() + "' answered initialize without a response"));
        if (response.has(JsonRpc.ERROR)) {
            return BrokerResponse.json(response); // the upstream refused; no session exists anywhere
        }
        String upstreamSessionId = reply.upstreamSessionId().orElse(null);
        String version = response.path(JsonRpc.RESULT).path("protocolVersion").asText("");
        if (!ProtocolVersions.isSupported(version)) {
            abandonUpstreamSession(server, upstreamSessionId, null);
            throw new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                    "upstream '" + server.id() + "' negotiated an unsupported protocol version");
        }
        ObjectNode initialized = codec.mapper().createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.METHOD, McpMethods.NOTIFICATIONS_INITIALIZED);
        try {
            upstreamClient.send(server, new UpstreamCall(initialized, upstreamSessionId, version, Map.of()));
        } catch (UpstreamException e) {
            abandonUpstreamSession(server, upstreamSessionId, version);
            throw UpstreamFailures.toBrokerException(server.id(), e);
        }

        Instant now = clock.instant();
        BrokerSession session = new BrokerSession(sessionIds.mint(), server.id(), upstreamSessionId, version,
                request.params().toString(), BrokerSession.State.ACTIVE,
                now, now.plus(settings.sessionLifetime()), 1);
        try {
            sessions.create(session);
        } catch (StoreUnavailableException | SessionStore.SessionAlreadyExistsException e) {
            // Without a record no instance could serve the session: do not leave the upstream one behind.
            abandonUpstreamSession(server, upstreamSessionId, version);
            if (e instanceof StoreUnavailableException unavailable) {
                throw unavailable;
            }
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "session id collision", e);
        }
        LOG.log(Level.DEBUG, () -> "opened " + session);
        return BrokerResponse.json(response).withHeader(McpHeaders.SESSION_ID, session.sessionId());
    }

    private BrokerResponse forward(UpstreamServer server, BrokerSession session, JsonRpcMessage.Request request) {
        UpstreamReply reply = send(server, callFor(session, request.json()));
        ObjectNode response = reply.response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "upstream '" + server.id() + "' sent no response"));
        return BrokerResponse.json(response);
    }

    private BrokerResponse notifyUpstream(UpstreamServer server, BrokerSession session, JsonRpcMessage.Notification notification) {
        if (McpMethods.NOTIFICATIONS_INITIALIZED.equals(notification.method())) {
            return BrokerResponse.accepted(); // the broker already sent it when it opened the upstream session
        }
        send(server, callFor(session, notification.json()));
        return BrokerResponse.accepted();
    }

    private BrokerResponse relayResponse(UpstreamServer server, BrokerSession session, JsonRpcMessage.Response response) {
        send(server, callFor(session, response.json()));
        return BrokerResponse.accepted();
    }

    private UpstreamCall callFor(BrokerSession session, ObjectNode message) {
        return new UpstreamCall(message, session.upstreamSessionId(), session.protocolVersion(), Map.of());
    }

    private UpstreamReply send(UpstreamServer server, UpstreamCall call) {
        try {
            return upstreamClient.send(server, call);
        } catch (UpstreamException e) {
            LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' failed: " + e.kind() + " (" + e.getMessage() + ")");
            throw UpstreamFailures.toBrokerException(server.id(), e);
        }
    }

    private UpstreamServer server(String serverId) {
        return upstreams.find(serverId).orElseThrow(() ->
                new BrokerException(ErrorCode.UNKNOWN_SERVER, "no upstream server is registered under this name"));
    }

    /**
     * The session a request belongs to. Unknown, ended, expired and other servers' sessions all answer the
     * same 404, so a session id reveals nothing about sessions it does not name.
     */
    private BrokerSession liveSession(UpstreamServer server, String sessionId, String protocolVersion) {
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
                .filter(s -> s.serverId().equals(server.id()))
                .filter(s -> s.isLiveAt(clock.instant()))
                .orElseThrow(McpBroker::sessionNotFound);
        if (protocolVersion != null && !protocolVersion.equals(session.protocolVersion())) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
                    McpHeaders.PROTOCOL_VERSION + " differs from the version negotiated on initialize");
        }
        return session;
    }

    private static BrokerException sessionNotFound() {
        return new BrokerException(ErrorCode.SESSION_NOT_FOUND, "session not found; initialize a new session");
    }

    private void abandonUpstreamSession(UpstreamServer server, String upstreamSessionId, String version) {
        if (upstreamSessionId != null) {
            terminateQuietly(server, upstreamSessionId, version);
        }
    }

    private void terminateQuietly(UpstreamServer server, String upstreamSessionId, String version) {
        try {
            upstreamClient.terminate(server, upstreamSessionId, version);
        } catch (UpstreamException e) {
            // The upstream expires it on its own; ending ours must not fail because of theirs.
            LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' session could not be ended: " + e.kind());
        }
    }
}
