package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.idempotency.Decision;
import dev.mcpbroker.core.idempotency.Fingerprints;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.OutcomeView;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.SecretRedactor;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamCredential;
import dev.mcpbroker.core.upstream.UpstreamException;
import dev.mcpbroker.core.upstream.UpstreamFailures;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker's request path for one agent-facing MCP endpoint per upstream server. Every request is
 * authorised and rate-limited before any upstream contact; the session is read from the
 * {@link SessionStore} on every request, so any instance can serve any request.
 */
public final class McpBroker {

    private static final System.Logger LOG = System.getLogger(McpBroker.class.getName());
    /** Bounds the broker's own tools/list reads for a server that pages without end. */
    private static final int MAX_TOOL_LIST_PAGES = 20;

    /** The collaborators of the request path. */
    public record Ports(SessionStore sessions, UpstreamRegistry upstreams, UpstreamClient upstreamClient,
                        CredentialSource credentials, AccessPolicy policy, RateLimiter rateLimiter,
                        BrokerMetrics metrics, IdempotencyGuard idempotency, ToolCatalog tools, AuditTrail audit) {
    }

    /** Refusals of the policy layer: each is recorded in the audit trail as a denied decision. */
    private static final java.util.Set<ErrorCode> REFUSALS = java.util.EnumSet.of(
            ErrorCode.UNKNOWN_SERVER, ErrorCode.AGENT_NOT_ALLOWED, ErrorCode.TENANT_MISMATCH,
            ErrorCode.SERVER_NOT_ALLOWED, ErrorCode.SERVER_KILLED, ErrorCode.TOOL_NOT_ALLOWED, ErrorCode.TOOL_KILLED,
            ErrorCode.RATE_LIMITED, ErrorCode.SESSION_NOT_FOUND, ErrorCode.MISSING_SESSION_ID,
            ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, ErrorCode.IDEMPOTENCY_KEY_REQUIRED, ErrorCode.IDEMPOTENCY_KEY_INVALID,
            ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.IDEMPOTENCY_IN_PROGRESS, ErrorCode.OUTCOME_UNKNOWN);

    private final JsonRpcCodec codec;
    private final Ports ports;
    private final SessionIds sessionIds;
    private final Clock clock;
    private final BrokerSettings settings;

    public McpBroker(JsonRpcCodec codec, Ports ports, SessionIds sessionIds, Clock clock, BrokerSettings settings) {
        this.codec = Objects.requireNonNull(codec);
        this.ports = Objects.requireNonNull(ports);
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
        AuditTrail.Subject subject = subjectOf(request, message, ports.audit());
        try {
            UpstreamServer server = server(request.serverId());
            SessionOwner owner = ports.policy().admit(request.identity(), server);
            subject = subject.withOwner(owner.tenantId());
            enforceRateLimits(request.identity(), owner);
            if (message instanceof JsonRpcMessage.Request r && McpMethods.INITIALIZE.equals(r.method())) {
                return initialize(server, owner, r, subject);
            }
            BrokerSession session = liveSession(server, owner, request.sessionId(), request.protocolVersion());
            subject = subject.withSession(session.sessionId());
            return switch (message) {
                case JsonRpcMessage.Request r -> forward(request, owner, server, session, r, subject);
                case JsonRpcMessage.Notification n -> notifyUpstream(server, session, n);
                case JsonRpcMessage.Response r -> relayResponse(server, session, r);
            };
        } catch (BrokerException e) {
            if (REFUSALS.contains(e.code()) && message instanceof JsonRpcMessage.Request) {
                ports.audit().denied(subject, e.code().reason());
            }
            throw requestId == null ? e : e.withRequestId(requestId);
        } catch (StoreUnavailableException e) {
            BrokerException error = new BrokerException(ErrorCode.STATE_UNAVAILABLE, "broker state is unavailable", e);
            throw requestId == null ? error : error.withRequestId(requestId);
        }
    }

    /** Ends a session: the record first, so no instance serves it again, then the upstream session. */
    public BrokerResponse delete(AgentIdentity identity, String serverId, String sessionId, String protocolVersion) {
        try {
            UpstreamServer server = server(serverId);
            SessionOwner owner = ports.policy().admit(identity, server);
            BrokerSession session = liveSession(server, owner, sessionId, protocolVersion);
            recordAnsweredByBroker(new AuditTrail.Subject(identity.agentId(), owner.tenantId(), identity.onBehalfOf(),
                    session.sessionId(), serverId, "DELETE", null, null, null, null), "session_ended");
            BrokerSession ended;
            try {
                ended = ports.sessions().end(session.sessionId(), session.version(), clock.instant());
            } catch (SessionStore.SessionChangedException e) {
                // Ended or changed by a concurrent request: to this caller the session is gone either way.
                throw sessionNotFound();
            }
            ended.upstreamSession().ifPresent(upstreamId -> terminateQuietly(server, upstreamId, ended.protocolVersion()));
            return BrokerResponse.noContent();
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.STATE_UNAVAILABLE, "broker state is unavailable", e);
        }
    }

    private BrokerResponse initialize(UpstreamServer server, SessionOwner owner, JsonRpcMessage.Request request,
                                      AuditTrail.Subject subject) {
        // The id is minted first so the session's audit chain starts with its own initialize.
        String sessionId = sessionIds.mint();
        UpstreamReply[] replies = new UpstreamReply[1];
        ObjectNode response = audited(subject.withSession(sessionId), () -> {
            replies[0] = send(server, request.json(), null, null);
            return replies[0].response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                    "upstream '" + server.id() + "' answered initialize without a response"));
        });
        UpstreamReply reply = replies[0];
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
            send(server, initialized, upstreamSessionId, version);
        } catch (BrokerException e) {
            abandonUpstreamSession(server, upstreamSessionId, version);
            throw e;
        }

        Instant now = clock.instant();
        BrokerSession session = new BrokerSession(sessionId, owner, server.id(), upstreamSessionId, version,
                request.params().toString(), BrokerSession.State.ACTIVE, now, now.plus(settings.sessionLifetime()), 1);
        try {
            ports.sessions().create(session);
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

    private BrokerResponse forward(BrokerRequest broker, SessionOwner owner, UpstreamServer server, BrokerSession session,
                                   JsonRpcMessage.Request request, AuditTrail.Subject subject) {
        AgentIdentity identity = broker.identity();
        if (McpMethods.BROKER_OUTCOME.equals(request.method())) {
            recordAnsweredByBroker(subject, "outcome_query");
            return outcome(owner, server, request);
        }
        if (McpMethods.TOOLS_CALL.equals(request.method())) {
            String tool = request.params().path("name").asText("");
            ports.policy().checkToolCall(identity, server, tool);
            if (isStateChanging(server, session, tool)) {
                return idempotentToolCall(broker, owner, server, session, request, tool, subject);
            }
        }
        ObjectNode response = audited(subject, () ->
                responseTo(send(server, request.json(), session.upstreamSessionId(), session.protocolVersion()), server));
        if (McpMethods.TOOLS_LIST.equals(request.method())) {
            ports.tools().learn(server.id(), response.path(JsonRpc.RESULT));
            ports.policy().filterToolList(identity, server, response);
        }
        return BrokerResponse.json(response);
    }

    /**
     * A state-changing {@code tools/call} runs at most once per idempotency key: the key is claimed with a
     * conditional write before the upstream is contacted, the answer is stored and replayed, and an
     * attempt whose outcome is unknown stays unknown — it is never retried by the broker.
     */
    private BrokerResponse idempotentToolCall(BrokerRequest broker, SessionOwner owner, UpstreamServer server,
                                             BrokerSession session, JsonRpcMessage.Request request, String tool,
                                             AuditTrail.Subject subject) {
        String key = idempotencyKey(broker, request);
        if (key == null) {
            if (server.toolPolicy().requireIdempotencyKey().orElse(settings.requireIdempotencyKey())) {
                throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "tool '" + tool + "' changes state: send an "
                        + McpHeaders.IDEMPOTENCY_KEY + " header or params._meta[\"" + McpHeaders.IDEMPOTENCY_KEY_META + "\"]");
            }
            return BrokerResponse.json(audited(subject, () -> responseTo(send(server, request.json(),
                    session.upstreamSessionId(), session.protocolVersion()), server)));
        }
        IdempotencyScope scope = new IdempotencyScope(owner.tenantId(), owner.agentId(), server.id(), tool, key);
        Decision decision = ports.idempotency().begin(scope, Fingerprints.of(request.params().path("arguments")));
        return switch (decision) {
            case Decision.Replay replay -> {
                recordAnsweredByBroker(subject, "idempotent_replay");
                yield BrokerResponse.json(replayed(request, replay.result()));
            }
            case Decision.Conflict conflict -> throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "this idempotency key was used with other arguments");
            case Decision.InFlight inFlight -> throw new BrokerException(ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                    "a request with this idempotency key is executing").withRetryAfter(inFlight.retryAfter());
            case Decision.Unknown unknown -> throw new BrokerException(ErrorCode.OUTCOME_UNKNOWN,
                    "an earlier attempt with this idempotency key may have executed; query its outcome before acting");
            case Decision.Execute execute -> execute(server, session, request, key, execute.claim(), subject);
        };
    }

    private BrokerResponse execute(UpstreamServer server, BrokerSession session, JsonRpcMessage.Request request,
                                   String key, IdempotencyRecord claim, AuditTrail.Subject subject) {
        // The key travels upstream too, so an upstream that deduplicates can do so itself.
        ObjectNode message = request.json().deepCopy();
        message.withObjectProperty(JsonRpc.PARAMS).withObjectProperty("_meta").put(McpHeaders.IDEMPOTENCY_KEY_META, key);
        ObjectNode response;
        try {
            response = audited(subject, () -> responseTo(send(server, message, session.upstreamSessionId(),
                    session.protocolVersion(), Map.of(McpHeaders.IDEMPOTENCY_KEY, key)), server));
        } catch (BrokerException e) {
            if (e.failureClass() == FailureClass.AMBIGUOUS) {
                ports.idempotency().ambiguous(claim);
            } else {
                ports.idempotency().notExecuted(claim); // refused or never delivered: a retry may execute it
            }
            throw e;
        } catch (RuntimeException e) {
            ports.idempotency().ambiguous(claim);
            throw e;
        }
        ObjectNode stored = codec.mapper().createObjectNode();
        stored.set(response.has(JsonRpc.ERROR) ? JsonRpc.ERROR : JsonRpc.RESULT,
                response.has(JsonRpc.ERROR) ? response.get(JsonRpc.ERROR) : response.get(JsonRpc.RESULT));
        ports.idempotency().completed(claim, stored.toString());
        return BrokerResponse.json(response);
    }

    /**
     * Answers "did my call with this key land?" from the broker's own records: COMPLETED with the stored
     * answer, IN_PROGRESS, UNKNOWN, or NONE (never claimed, or past retention). Only the caller's own keys
     * are visible: the scope includes its tenant and agent.
     */
    private BrokerResponse outcome(SessionOwner owner, UpstreamServer server, JsonRpcMessage.Request request) {
        String tool = request.params().path("tool").asText("");
        String key = request.params().path("idempotencyKey").asText("");
        if (tool.isEmpty() || key.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, McpMethods.BROKER_OUTCOME + " needs params.tool and params.idempotencyKey");
        }
        OutcomeView view = ports.idempotency().outcome(new IdempotencyScope(owner.tenantId(), owner.agentId(), server.id(), tool, key));
        ObjectNode result = codec.mapper().createObjectNode();
        switch (view) {
            case OutcomeView.None none -> result.put("status", "NONE");
            case OutcomeView.InProgress inProgress -> result.put("status", "IN_PROGRESS")
                    .put("retryAfter", Math.max(1, inProgress.retryAfter().toSeconds()));
            case OutcomeView.Unknown unknown -> result.put("status", "UNKNOWN");
            case OutcomeView.Completed completed -> {
                result.put("status", "COMPLETED");
                ObjectNode stored = replayed(request, completed.result());
                stored.remove(java.util.List.of(JsonRpc.ID, JsonRpc.JSONRPC));
                result.set("response", stored);
            }
        }
        ObjectNode response = codec.mapper().createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, request.id());
        response.set(JsonRpc.RESULT, result);
        return BrokerResponse.json(response);
    }

    /** The stored answer as the response to this request (its own id). */
    private ObjectNode replayed(JsonRpcMessage.Request request, String stored) {
        ObjectNode response = codec.mapper().createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, request.id());
        try {
            response.setAll((ObjectNode) codec.mapper().readTree(stored));
        } catch (java.io.IOException | ClassCastException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "a stored result could not be read", e);
        }
        return response;
    }

    private static String idempotencyKey(BrokerRequest broker, JsonRpcMessage.Request request) {
        String key = broker.idempotencyKey();
        if (key == null || key.isEmpty()) {
            key = request.params().path("_meta").path(McpHeaders.IDEMPOTENCY_KEY_META).asText(null);
        }
        if (key == null || key.isEmpty()) {
            return null;
        }
        if (key.length() > IdempotencyScope.MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
            throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_INVALID, "an idempotency key is 1 to "
                    + IdempotencyScope.MAX_KEY_LENGTH + " visible ASCII characters");
        }
        return key;
    }

    /**
     * Whether a tool changes state: as the registry declares it, else unless its upstream annotates it
     * read-only. An instance that has not
     * seen the server's tool list yet asks the upstream for it (a read, safe to send) before deciding.
     */
    private boolean isStateChanging(UpstreamServer server, BrokerSession session, String tool) {
        Optional<Boolean> declared = server.toolPolicy().declaredReadOnly(tool);
        if (declared.isPresent()) {
            return !declared.get(); // the operator's word outranks the upstream's annotation
        }
        Optional<Boolean> readOnly = ports.tools().isReadOnly(server.id(), tool);
        if (readOnly.isEmpty()) {
            learnTools(server, session);
            readOnly = ports.tools().isReadOnly(server.id(), tool);
        }
        return !readOnly.orElse(false);
    }

    private void learnTools(UpstreamServer server, BrokerSession session) {
        String cursor = null;
        for (int page = 0; page < MAX_TOOL_LIST_PAGES; page++) {
            ObjectNode list = codec.mapper().createObjectNode()
                    .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                    .put(JsonRpc.ID, "broker-tools-" + page)
                    .put(JsonRpc.METHOD, McpMethods.TOOLS_LIST);
            if (cursor != null) {
                list.putObject(JsonRpc.PARAMS).put("cursor", cursor);
            }
            ObjectNode response = responseTo(send(server, list, session.upstreamSessionId(), session.protocolVersion()), server);
            ports.tools().learn(server.id(), response.path(JsonRpc.RESULT));
            cursor = response.path(JsonRpc.RESULT).path("nextCursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                ports.tools().learnedCompleteList(server.id());
                return;
            }
        }
    }

    /**
     * Brackets one upstream contact in the audit trail: the intent is recorded first, and if it cannot be
     * the call is refused as not executed (fail closed); the outcome follows, whatever it is.
     */
    private ObjectNode audited(AuditTrail.Subject subject, java.util.function.Supplier<ObjectNode> upstreamCall) {
        try {
            ports.audit().intent(subject);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.AUDIT_UNAVAILABLE, "the audit trail cannot record this call", e);
        }
        long started = System.nanoTime();
        try {
            ObjectNode response = upstreamCall.get();
            AuditEvent.OutcomeClass outcome = response.has(JsonRpc.ERROR) ? AuditEvent.OutcomeClass.DETERMINISTIC
                    : response.path(JsonRpc.RESULT).path("isError").asBoolean(false) ? AuditEvent.OutcomeClass.TOOL_ERROR
                    : AuditEvent.OutcomeClass.OK;
            ports.audit().outcome(subject, outcome, null, elapsedMillis(started));
            return response;
        } catch (BrokerException e) {
            ports.audit().outcome(subject, AuditEvent.OutcomeClass.of(e.failureClass()), e.code().reason(), elapsedMillis(started));
            throw e;
        } catch (RuntimeException e) {
            ports.audit().outcome(subject, AuditEvent.OutcomeClass.AMBIGUOUS, ErrorCode.INTERNAL_ERROR.reason(), elapsedMillis(started));
            throw e;
        }
    }

    private void recordAnsweredByBroker(AuditTrail.Subject subject, String reason) {
        try {
            ports.audit().answeredByBroker(subject, reason);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.AUDIT_UNAVAILABLE, "the audit trail cannot record this request", e);
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** What the audit trail says about this request; the tenant and session are added once known. */
    private static AuditTrail.Subject subjectOf(BrokerRequest request, JsonRpcMessage message, AuditTrail audit) {
        String method = null;
        String tool = null;
        String fingerprint = null;
        String key = request.idempotencyKey();
        String correlation = null;
        if (message instanceof JsonRpcMessage.Request r) {
            method = r.method();
            correlation = r.id().asText();
            if (McpMethods.TOOLS_CALL.equals(r.method())) {
                tool = r.params().path("name").asText(null);
                JsonNode args = r.params().path("arguments");
                fingerprint = audit.fingerprint(args instanceof ObjectNode object ? object : r.params().objectNode());
                if (key == null) {
                    key = r.params().path("_meta").path(McpHeaders.IDEMPOTENCY_KEY_META).asText(null);
                }
            }
        }
        return new AuditTrail.Subject(request.identity().agentId(), request.identity().tenantId(),
                request.identity().onBehalfOf(), null, request.serverId(), method, tool, fingerprint, key, correlation);
    }

    private ObjectNode responseTo(UpstreamReply reply, UpstreamServer server) {
        return reply.response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "upstream '" + server.id() + "' sent no response"));
    }

    private BrokerResponse notifyUpstream(UpstreamServer server, BrokerSession session, JsonRpcMessage.Notification notification) {
        if (McpMethods.NOTIFICATIONS_INITIALIZED.equals(notification.method())) {
            return BrokerResponse.accepted(); // the broker already sent it when it opened the upstream session
        }
        send(server, notification.json(), session.upstreamSessionId(), session.protocolVersion());
        return BrokerResponse.accepted();
    }

    private BrokerResponse relayResponse(UpstreamServer server, BrokerSession session, JsonRpcMessage.Response response) {
        send(server, response.json(), session.upstreamSessionId(), session.protocolVersion());
        return BrokerResponse.accepted();
    }

    /**
     * Sends one message with the upstream's credential attached, and redacts that credential from
     * everything the upstream answers. An upstream 401 means the request was refused before anything ran,
     * so the credential is refreshed (it may have been rotated) and the request sent once more.
     */
    private UpstreamReply send(UpstreamServer server, ObjectNode message, String upstreamSessionId, String version) {
        return send(server, message, upstreamSessionId, version, Map.of());
    }

    private UpstreamReply send(UpstreamServer server, ObjectNode message, String upstreamSessionId, String version,
                               Map<String, String> headers) {
        UpstreamCredential credential = credential(server, false);
        try {
            return redacted(sendWith(server, message, upstreamSessionId, version, credential, headers), credential);
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.REJECTED && e.status() == 401 && !credential.headers().isEmpty()) {
                UpstreamCredential refreshed = credential(server, true);
                try {
                    return redacted(sendWith(server, message, upstreamSessionId, version, refreshed, headers), refreshed);
                } catch (UpstreamException retryFailure) {
                    throw upstreamFailure(server, retryFailure);
                }
            }
            throw upstreamFailure(server, e);
        }
    }

    private UpstreamReply sendWith(UpstreamServer server, ObjectNode message, String upstreamSessionId, String version,
                                   UpstreamCredential credential, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.putAll(credential.headers());
        return ports.upstreamClient().send(server, new UpstreamCall(message, upstreamSessionId, version, all));
    }

    private static UpstreamReply redacted(UpstreamReply reply, UpstreamCredential credential) {
        reply.response().ifPresent(response -> SecretRedactor.redact(response, credential.secretValues()));
        reply.relayed().forEach(message -> SecretRedactor.redact(message, credential.secretValues()));
        return reply;
    }

    private UpstreamCredential credential(UpstreamServer server, boolean refresh) {
        try {
            return ports.credentials().resolve(server, refresh);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.CREDENTIAL_UNAVAILABLE,
                    "the credential of upstream '" + server.id() + "' could not be resolved", e);
        }
    }

    private BrokerException upstreamFailure(UpstreamServer server, UpstreamException e) {
        LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' failed: " + e.kind() + " (" + e.getMessage() + ")");
        return UpstreamFailures.toBrokerException(server.id(), e);
    }

    private void enforceRateLimits(AgentIdentity identity, SessionOwner owner) {
        Optional<RateLimit> agentLimit = ports.policy().agentRateLimit(identity).or(settings::defaultAgentRateLimit);
        if (agentLimit.isPresent()) {
            acquire("agent#" + owner.agentId(), agentLimit.get(), owner.tenantId(), "agent");
        }
        Optional<RateLimit> tenantLimit = ports.policy().tenantRateLimit(owner.tenantId());
        if (tenantLimit.isPresent()) {
            acquire("tenant#" + owner.tenantId(), tenantLimit.get(), owner.tenantId(), "tenant");
        }
    }

    private void acquire(String key, RateLimit limit, String tenantId, String scope) {
        Optional<Duration> wait = ports.rateLimiter().tryAcquire(key, limit, clock.instant());
        if (wait.isPresent()) {
            ports.metrics().rateLimited(tenantId, scope);
            throw new BrokerException(ErrorCode.RATE_LIMITED, "the " + scope + " rate limit is exhausted")
                    .withRetryAfter(wait.get());
        }
    }

    private UpstreamServer server(String serverId) {
        return ports.upstreams().find(serverId).orElseThrow(() ->
                new BrokerException(ErrorCode.UNKNOWN_SERVER, "no upstream server is registered under this name"));
    }

    /**
     * The session a request belongs to. Unknown, ended, expired, other servers' and other identities'
     * sessions all answer the same 404, so a session id reveals nothing about sessions it does not name.
     */
    private BrokerSession liveSession(UpstreamServer server, SessionOwner owner, String sessionId, String protocolVersion) {
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
        BrokerSession session = ports.sessions().find(sessionId)
                .filter(s -> s.serverId().equals(server.id()))
                .filter(s -> s.isOwnedBy(owner))
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
            UpstreamCredential credential = credential(server, false);
            ports.upstreamClient().terminate(server, upstreamSessionId, version, credential.headers());
        } catch (UpstreamException | BrokerException e) {
            // The upstream expires it on its own; ending ours must not fail because of theirs.
            LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' session could not be ended: " + e.getMessage());
        }
    }
}
