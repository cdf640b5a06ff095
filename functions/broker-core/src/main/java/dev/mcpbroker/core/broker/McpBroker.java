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
import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionChanges;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.TaskSessionCounter;
import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.telemetry.IdempotencyDecision;
import dev.mcpbroker.core.telemetry.RequestOutcome;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.telemetry.TraceContext;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamExchange;
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
    public record Ports(SessionStore sessions, UpstreamRegistry upstreams, UpstreamExchange upstream,
                        AccessPolicy policy, RateLimiter rateLimiter, BrokerMetrics metrics, IdempotencyGuard idempotency,
                        ToolCatalog tools, AuditTrail audit, SessionCapacity capacity, WarmSessions warmSessions,
                        TaskSessionCounter tasks) {
    }

    /**
     * The session as this request knows it, and the request's trace. A request that changes the record (a
     * touch, a re-opened upstream session, new affinity cookies) continues with what it stored.
     */
    private static final class Bound {
        private BrokerSession session;
        private final RequestTrace trace;

        private Bound(BrokerSession session, RequestTrace trace) {
            this.session = session;
            this.trace = trace;
        }
    }

    /** How long a task's session count is kept after its last session opened. */
    private static final Duration TASK_MEMORY = Duration.ofDays(1);
    private static final int MAX_TASK_ID_LENGTH = 128;

    /** Refusals of the policy layer: each is recorded in the audit trail as a denied decision. */
    private static final java.util.Set<ErrorCode> REFUSALS = java.util.EnumSet.of(
            ErrorCode.UNKNOWN_SERVER, ErrorCode.AGENT_NOT_ALLOWED, ErrorCode.TENANT_MISMATCH,
            ErrorCode.SERVER_NOT_ALLOWED, ErrorCode.SERVER_KILLED, ErrorCode.TOOL_NOT_ALLOWED, ErrorCode.TOOL_KILLED,
            ErrorCode.RATE_LIMITED, ErrorCode.SESSION_NOT_FOUND, ErrorCode.MISSING_SESSION_ID,
            ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, ErrorCode.IDEMPOTENCY_KEY_REQUIRED, ErrorCode.IDEMPOTENCY_KEY_INVALID,
            ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.IDEMPOTENCY_IN_PROGRESS, ErrorCode.OUTCOME_UNKNOWN,
            ErrorCode.SESSION_CAPACITY_EXHAUSTED);

    private final JsonRpcCodec codec;
    private final Ports ports;
    private final SessionIds sessionIds;
    private final Clock clock;
    private final BrokerSettings settings;
    private final SessionChanges changes;

    public McpBroker(JsonRpcCodec codec, Ports ports, SessionIds sessionIds, Clock clock, BrokerSettings settings) {
        this.codec = Objects.requireNonNull(codec);
        this.ports = Objects.requireNonNull(ports);
        this.sessionIds = Objects.requireNonNull(sessionIds);
        this.clock = Objects.requireNonNull(clock);
        this.settings = Objects.requireNonNull(settings);
        this.changes = new SessionChanges(ports.sessions());
    }

    /** Handles one POSTed JSON-RPC message, traced by nothing. */
    public BrokerResponse post(BrokerRequest request) {
        return post(request, RequestTrace.NONE);
    }

    /** Handles one POSTed JSON-RPC message, telling {@code trace} what it learns on the way. */
    public BrokerResponse post(BrokerRequest request, RequestTrace trace) {
        if (request.body() == null || request.body().length > settings.maxBodyBytes()) {
            throw new BrokerException(ErrorCode.BODY_TOO_LARGE,
                    "request body exceeds " + settings.maxBodyBytes() + " bytes");
        }
        JsonRpcMessage message = codec.parse(request.body());
        traceMessage(trace, message);
        trace.caller(request.identity().agentId(), request.identity().tenantId());
        JsonNode requestId = message instanceof JsonRpcMessage.Request r ? r.id() : null;
        AuditTrail.Subject subject = subjectOf(request, message, ports.audit(), trace.traceId());
        try {
            UpstreamServer server = server(request.serverId());
            trace.server(server.id());
            SessionOwner owner = ports.policy().admit(request.identity(), server);
            trace.caller(owner.agentId(), owner.tenantId());
            subject = subject.withOwner(owner.tenantId());
            enforceRateLimits(request.identity(), owner);
            if (message instanceof JsonRpcMessage.Request r && McpMethods.INITIALIZE.equals(r.method())) {
                return initialize(server, owner, r, subject, taskId(request), trace);
            }
            Bound session = new Bound(liveSession(server, owner, request.sessionId(), request.protocolVersion()), trace);
            trace.session(SessionIds.hash(session.session.sessionId()));
            trace.protocolVersion(session.session.protocolVersion());
            subject = subject.withSession(session.session.sessionId());
            return switch (message) {
                case JsonRpcMessage.Request r -> forward(request, owner, server, session, r, subject);
                case JsonRpcMessage.Notification n -> notifyUpstream(server, session, n);
                case JsonRpcMessage.Response r -> relayResponse(server, session, r);
            };
        } catch (BrokerException e) {
            if (REFUSALS.contains(e.code())) {
                ports.metrics().requestDenied(e.code().reason());
                if (message instanceof JsonRpcMessage.Request) {
                    ports.audit().denied(subject, e.code().reason());
                }
            }
            throw requestId == null ? e : e.withRequestId(requestId);
        } catch (StoreUnavailableException e) {
            BrokerException error = new BrokerException(ErrorCode.STATE_UNAVAILABLE, "broker state is unavailable", e);
            throw requestId == null ? error : error.withRequestId(requestId);
        }
    }

    /** Ends a session, traced by nothing. */
    public BrokerResponse delete(AgentIdentity identity, String serverId, String sessionId, String protocolVersion) {
        return delete(identity, serverId, sessionId, protocolVersion, RequestTrace.NONE);
    }

    /** Ends a session: the record first, so no instance serves it again, then the upstream session. */
    public BrokerResponse delete(AgentIdentity identity, String serverId, String sessionId, String protocolVersion,
                                 RequestTrace trace) {
        trace.caller(identity.agentId(), identity.tenantId());
        try {
            UpstreamServer server = server(serverId);
            trace.server(server.id());
            SessionOwner owner = ports.policy().admit(identity, server);
            trace.caller(owner.agentId(), owner.tenantId());
            BrokerSession session = liveSession(server, owner, sessionId, protocolVersion);
            trace.session(SessionIds.hash(session.sessionId()));
            trace.protocolVersion(session.protocolVersion());
            recordAnsweredByBroker(new AuditTrail.Subject(identity.agentId(), owner.tenantId(), identity.onBehalfOf(),
                    session.sessionId(), serverId, "DELETE", null, null, null, null, trace.traceId()), "session_ended");
            BrokerSession ended;
            try {
                ended = ports.sessions().end(session.sessionId(), session.version(), clock.instant());
            } catch (SessionStore.SessionChangedException e) {
                // Ended or changed by a concurrent request: to this caller the session is gone either way.
                throw sessionNotFound();
            }
            if (ended.holdsCapacity()) {
                ports.capacity().release(ports.capacity().leaseOf(server, ended.capacitySlot(), ended.sessionId(), ended.endOfLife()));
            }
            ports.metrics().sessionEnded(server.id());
            ports.upstream().terminateQuietly(server, ended.upstreamSessionId(), ended.protocolVersion(), ended.affinity());
            return BrokerResponse.noContent();
        } catch (BrokerException e) {
            if (REFUSALS.contains(e.code())) {
                ports.metrics().requestDenied(e.code().reason());
            }
            throw e;
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.STATE_UNAVAILABLE, "broker state is unavailable", e);
        }
    }

    /** What the trace learns from the message itself: its method, id and tool, and context the agent carried in {@code _meta}. */
    private static void traceMessage(RequestTrace trace, JsonRpcMessage message) {
        switch (message) {
            case JsonRpcMessage.Request r -> trace.message(r.method(), r.id().isNull() ? null : r.id().asText(),
                    McpMethods.TOOLS_CALL.equals(r.method()) ? r.params().path("name").asText(null) : null,
                    TraceContext.carriedBy(r.json()));
            case JsonRpcMessage.Notification n -> trace.message(n.method(), null, null, TraceContext.carriedBy(n.json()));
            case JsonRpcMessage.Response r -> trace.message(null, null, null, TraceContext.NONE);
        }
    }

    /**
     * Opens a session: a slot of the server's session cap first (waiting in its queue if need be), then
     * the upstream session (a pre-initialised one from the warm pool when there is one), then the record.
     * Whatever fails, the slot is released and no upstream session is left behind.
     */
    private BrokerResponse initialize(UpstreamServer server, SessionOwner owner, JsonRpcMessage.Request request,
                                      AuditTrail.Subject subject, String taskId, RequestTrace trace) {
        // The id is minted first so the session's audit chain starts with its own initialize.
        String sessionId = sessionIds.mint();
        trace.session(SessionIds.hash(sessionId));
        AuditTrail.Subject sessionSubject = subject.withSession(sessionId);
        Duration[] queued = {Duration.ZERO};
        Lease lease;
        try {
            lease = ports.capacity().acquire(server, sessionId, waited -> queued[0] = waited);
        } catch (BrokerException e) {
            ports.metrics().sessionCapacityExhausted(server.id());
            throw e;
        }
        boolean stored = false;
        try {
            String requestedVersion = request.params().path("protocolVersion").asText("");
            Optional<WarmSession> warm = ports.warmSessions().take(server, requestedVersion);
            ObjectNode response;
            UpstreamExchange.Opened opened;
            String initializeParams;
            if (warm.isPresent()) {
                recordAnsweredByBroker(sessionSubject, "warm_session");
                opened = new UpstreamExchange.Opened(initializeAnswer(request, warm.get().initializeResult()),
                        warm.get().upstreamSessionId(), warm.get().protocolVersion(), warm.get().affinity());
                initializeParams = warm.get().initializeParams();
            } else {
                UpstreamExchange.Opened[] cold = new UpstreamExchange.Opened[1];
                audited(sessionSubject, () -> {
                    cold[0] = ports.upstream().open(server, request.json());
                    return cold[0].response();
                });
                opened = cold[0];
                initializeParams = request.params().toString();
            }
            response = opened.response();
            trace.protocolVersion(opened.protocolVersion());
            if (opened.refused()) {
                return BrokerResponse.json(response); // the upstream refused; no session exists anywhere
            }
            BrokerSession session = BrokerSession.open(sessionId, owner, server.id(), opened.upstreamSessionId(),
                    opened.protocolVersion(), initializeParams, opened.affinity(), clock.instant(), settings.sessions(),
                    lease.slot(), taskId);
            try {
                if (!ports.capacity().hold(lease, session.endOfLife())) {
                    LOG.log(Level.WARNING, () -> "the session slot of " + session + " expired during initialize and was taken");
                }
                ports.sessions().create(session);
                stored = true;
            } catch (StoreUnavailableException | SessionStore.SessionAlreadyExistsException e) {
                // Without a record no instance could serve the session: do not leave the upstream one behind.
                ports.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
                if (e instanceof StoreUnavailableException unavailable) {
                    throw unavailable;
                }
                throw new BrokerException(ErrorCode.INTERNAL_ERROR, "session id collision", e);
            }
            ports.metrics().sessionOpened(server.id(), warm.isPresent(), queued[0]);
            countTaskSession(server, owner, taskId);
            LOG.log(Level.DEBUG, () -> "opened " + session);
            return BrokerResponse.json(response).withHeader(McpHeaders.SESSION_ID, session.sessionId());
        } finally {
            if (!stored) {
                ports.capacity().release(lease);
            }
        }
    }

    /** The stored initialize result of a warm session, as the answer to this agent's initialize. */
    private ObjectNode initializeAnswer(JsonRpcMessage.Request request, String storedResult) {
        ObjectNode response = codec.mapper().createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, request.id());
        try {
            response.set(JsonRpc.RESULT, codec.mapper().readTree(storedResult));
        } catch (java.io.IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "a stored initialize result could not be read", e);
        }
        return response;
    }

    private void countTaskSession(UpstreamServer server, SessionOwner owner, String taskId) {
        if (taskId == null) {
            return;
        }
        try {
            long sessions = ports.tasks().countSession(owner.tenantId(), taskId, clock.instant().plus(TASK_MEMORY));
            ports.metrics().sessionsPerTask(server.id(), sessions);
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

    private BrokerResponse forward(BrokerRequest broker, SessionOwner owner, UpstreamServer server, Bound session,
                                   JsonRpcMessage.Request request, AuditTrail.Subject subject) {
        AgentIdentity identity = broker.identity();
        if (McpMethods.BROKER_OUTCOME.equals(request.method())) {
            recordAnsweredByBroker(subject, "outcome_query");
            return outcome(owner, server, request);
        }
        boolean safeToRepeat = McpMethods.SAFE_TO_REPEAT.contains(request.method());
        String tool = null;
        if (McpMethods.TOOLS_CALL.equals(request.method())) {
            tool = request.params().path("name").asText("");
            ports.policy().checkToolCall(identity, server, tool);
            if (isStateChanging(server, session, tool)) {
                return timedToolCall(server, tool, () -> idempotentToolCall(broker, owner, server, session, request,
                        subject));
            }
            safeToRepeat = true; // a read-only tool
        }
        boolean repeatable = safeToRepeat;
        java.util.function.Supplier<BrokerResponse> call = () -> {
            ObjectNode response = audited(subject, () ->
                    responseTo(sendInSession(server, session, request.json(), Map.of(), repeatable), server));
            if (McpMethods.TOOLS_LIST.equals(request.method())) {
                ports.tools().learn(server.id(), response.path(JsonRpc.RESULT));
                ports.policy().filterToolList(identity, server, response);
            }
            return BrokerResponse.json(response);
        };
        return tool == null ? call.get() : timedToolCall(server, tool, call);
    }

    /** Counts a tools/call and its latency per server, tool and outcome. */
    private BrokerResponse timedToolCall(UpstreamServer server, String tool, java.util.function.Supplier<BrokerResponse> call) {
        long started = System.nanoTime();
        try {
            BrokerResponse response = call.get();
            String outcome = RequestOutcome.of(response.body().orElse(null)).outcome();
            ports.metrics().toolCall(server.id(), tool, outcome, Duration.ofNanos(System.nanoTime() - started));
            return response;
        } catch (BrokerException e) {
            ports.metrics().toolCall(server.id(), tool, e.failureClass().wireName(), Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
    }

    /**
     * A state-changing {@code tools/call} runs at most once per idempotency key: the key is claimed with a
     * conditional write before the upstream is contacted, the answer is stored and replayed, and an
     * attempt whose outcome is unknown stays unknown — it is never retried by the broker.
     */
    private BrokerResponse idempotentToolCall(BrokerRequest broker, SessionOwner owner, UpstreamServer server,
                                             Bound session, JsonRpcMessage.Request request, AuditTrail.Subject subject) {
        String tool = request.params().path("name").asText("");
        String key = idempotencyKey(broker, request);
        if (key == null) {
            if (server.toolPolicy().requireIdempotencyKey().orElse(settings.requireIdempotencyKey())) {
                throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "tool '" + tool + "' changes state: send an "
                        + McpHeaders.IDEMPOTENCY_KEY + " header or params._meta[\"" + McpHeaders.IDEMPOTENCY_KEY_META + "\"]");
            }
            return BrokerResponse.json(audited(subject, () -> responseTo(
                    sendInSession(server, session, request.json(), Map.of(), false), server)));
        }
        IdempotencyScope scope = new IdempotencyScope(owner.tenantId(), owner.agentId(), server.id(), tool, key);
        Decision decision = ports.idempotency().begin(scope, Fingerprints.of(request.params().path("arguments")));
        IdempotencyDecision decided = switch (decision) {
            case Decision.Execute execute -> IdempotencyDecision.EXECUTE;
            case Decision.Replay replay -> IdempotencyDecision.REPLAY;
            case Decision.Conflict conflict -> IdempotencyDecision.CONFLICT;
            case Decision.InFlight inFlight -> IdempotencyDecision.IN_PROGRESS;
            case Decision.Unknown unknown -> IdempotencyDecision.UNKNOWN;
        };
        session.trace.idempotency(decided);
        ports.metrics().idempotencyDecision(server.id(), decided.wireName());
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

    private BrokerResponse execute(UpstreamServer server, Bound session, JsonRpcMessage.Request request,
                                   String key, IdempotencyRecord claim, AuditTrail.Subject subject) {
        // The key travels upstream too, so an upstream that deduplicates can do so itself.
        ObjectNode message = request.json().deepCopy();
        message.withObjectProperty(JsonRpc.PARAMS).withObjectProperty("_meta").put(McpHeaders.IDEMPOTENCY_KEY_META, key);
        ObjectNode response;
        try {
            response = audited(subject, () -> responseTo(sendInSession(server, session, message,
                    Map.of(McpHeaders.IDEMPOTENCY_KEY, key), false), server));
        } catch (BrokerException e) {
            if (e.failureClass() == FailureClass.AMBIGUOUS) {
                ports.idempotency().ambiguous(claim);
                ports.metrics().idempotencyOutcomeUnknown(server.id());
            } else {
                ports.idempotency().notExecuted(claim); // refused or never delivered: a retry may execute it
            }
            throw e;
        } catch (RuntimeException e) {
            ports.idempotency().ambiguous(claim);
            ports.metrics().idempotencyOutcomeUnknown(server.id());
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
    private boolean isStateChanging(UpstreamServer server, Bound session, String tool) {
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

    private void learnTools(UpstreamServer server, Bound session) {
        String cursor = null;
        for (int page = 0; page < MAX_TOOL_LIST_PAGES; page++) {
            ObjectNode list = codec.mapper().createObjectNode()
                    .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                    .put(JsonRpc.ID, "broker-tools-" + page)
                    .put(JsonRpc.METHOD, McpMethods.TOOLS_LIST);
            if (cursor != null) {
                list.putObject(JsonRpc.PARAMS).put("cursor", cursor);
            }
            ObjectNode response = responseTo(sendInSession(server, session, list, Map.of(), true), server);
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
    private static AuditTrail.Subject subjectOf(BrokerRequest request, JsonRpcMessage message, AuditTrail audit, String traceId) {
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
                request.identity().onBehalfOf(), null, request.serverId(), method, tool, fingerprint, key, correlation, traceId);
    }

    private ObjectNode responseTo(UpstreamReply reply, UpstreamServer server) {
        return reply.response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "upstream '" + server.id() + "' sent no response"));
    }

    private BrokerResponse notifyUpstream(UpstreamServer server, Bound session, JsonRpcMessage.Notification notification) {
        if (McpMethods.NOTIFICATIONS_INITIALIZED.equals(notification.method())) {
            return BrokerResponse.accepted(); // the broker already sent it when it opened the upstream session
        }
        try {
            sendInSession(server, session, notification.json(), Map.of(), false);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_SESSION_LOST) {
                throw e;
            }
            // It concerned the upstream session that is gone; the re-opened one has nothing to be notified of.
        }
        return BrokerResponse.accepted();
    }

    private BrokerResponse relayResponse(UpstreamServer server, Bound session, JsonRpcMessage.Response response) {
        sendInSession(server, session, response.json(), Map.of(), false);
        return BrokerResponse.accepted();
    }

    /**
     * Sends one message in the session's upstream session, replaying its affinity cookies and keeping the
     * ones the upstream sets. When the upstream says the session is gone, the broker re-opens it with the
     * stored initialize params, then sends the message again only if it is {@code safeToRepeat}; anything
     * else gets {@code upstream_session_lost} (not executed: the upstream refused it), never a silent retry.
     */
    private UpstreamReply sendInSession(UpstreamServer server, Bound bound, ObjectNode message, Map<String, String> headers,
                                        boolean safeToRepeat) {
        try {
            return sendOnce(server, bound, message, headers);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_SESSION_LOST || bound.session.upstreamSessionId() == null) {
                throw e;
            }
        }
        reopenUpstreamSession(server, bound);
        ports.metrics().upstreamSessionReopened(server.id(), safeToRepeat);
        bound.trace.upstreamSessionReopened(safeToRepeat);
        if (!safeToRepeat) {
            throw new BrokerException(ErrorCode.UPSTREAM_SESSION_LOST, "upstream '" + server.id() + "' had lost the session "
                    + "and refused this request unexecuted; the broker re-opened the session but does not repeat a request "
                    + "that may change state: send it again");
        }
        return sendOnce(server, bound, message, headers);
    }

    private UpstreamReply sendOnce(UpstreamServer server, Bound bound, ObjectNode message, Map<String, String> headers) {
        BrokerSession session = bound.session;
        UpstreamReply reply = ports.upstream().send(server, message, session.upstreamSessionId(), session.protocolVersion(),
                session.affinity(), headers);
        keepAffinity(bound, reply);
        return reply;
    }

    /**
     * Stores cookies the upstream set, merged into whatever concurrent requests stored meanwhile. Failing
     * to store them never fails a call that was executed: the next answer sets them again.
     */
    private void keepAffinity(Bound bound, UpstreamReply reply) {
        if (reply.setCookies().isEmpty() || bound.session.affinity().merge(reply.setCookies()).equals(bound.session.affinity())) {
            return;
        }
        try {
            bound.session = changes.apply(bound.session, current -> {
                UpstreamAffinity merged = current.affinity().merge(reply.setCookies());
                return merged.equals(current.affinity()) ? current : current.withAffinity(merged);
            });
        } catch (SessionStore.SessionChangedException | SessionChanges.ContendedException | StoreUnavailableException e) {
            LOG.log(Level.INFO, () -> "upstream affinity not stored: " + e.getMessage());
        }
    }

    /**
     * Re-opens the upstream session with the params it was first opened with, and binds the broker session
     * to it with a version-conditioned write. When another request re-opened it first, that session is
     * used and this one ended, so the upstream is left with one session per broker session.
     */
    private void reopenUpstreamSession(UpstreamServer server, Bound bound) {
        BrokerSession lost = bound.session;
        ObjectNode initialize = codec.mapper().createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.ID, "broker-reopen")
                .put(JsonRpc.METHOD, McpMethods.INITIALIZE);
        try {
            initialize.set(JsonRpc.PARAMS, codec.mapper().readTree(lost.initializeParams()));
        } catch (java.io.IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "stored initialize params could not be read", e);
        }
        UpstreamExchange.Opened opened = ports.upstream().open(server, initialize);
        if (opened.refused() || !lost.protocolVersion().equals(opened.protocolVersion())) {
            if (!opened.refused()) {
                ports.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
            }
            throw new BrokerException(ErrorCode.UPSTREAM_SESSION_LOST, "upstream '" + server.id() + "' lost the session and "
                    + "did not re-open it with the negotiated protocol version; initialize a new session");
        }
        BrokerSession stored;
        try {
            stored = changes.apply(lost, current -> Objects.equals(current.upstreamSessionId(), lost.upstreamSessionId())
                    ? current.withUpstream(opened.upstreamSessionId(), opened.affinity()) : current);
        } catch (SessionStore.SessionChangedException e) {
            ports.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
            throw sessionNotFound(); // ended while this request re-opened it
        } catch (SessionChanges.ContendedException | StoreUnavailableException e) {
            ports.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
            throw new BrokerException(ErrorCode.STATE_UNAVAILABLE, "the re-opened upstream session could not be recorded", e);
        }
        if (!Objects.equals(stored.upstreamSessionId(), opened.upstreamSessionId())) {
            ports.upstream().terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
        }
        bound.session = stored;
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
        return touched(server, session);
    }

    /**
     * Records the use, at most once per touch interval: the idle deadline moves, and the session's capacity
     * slot is held as long as the session lives.
     */
    private BrokerSession touched(UpstreamServer server, BrokerSession session) {
        Instant now = clock.instant();
        if (!session.needsTouch(now, settings.sessions().touchInterval())) {
            return session;
        }
        BrokerSession touched;
        try {
            touched = changes.apply(session, current -> current.needsTouch(now, settings.sessions().touchInterval())
                    ? current.touched(now, settings.sessions()) : current);
        } catch (SessionStore.SessionChangedException e) {
            throw sessionNotFound(); // ended by a concurrent request
        } catch (SessionChanges.ContendedException e) {
            return session; // concurrent requests touched it
        }
        if (touched.holdsCapacity() && touched != session) {
            boolean held = ports.capacity().hold(
                    ports.capacity().leaseOf(server, touched.capacitySlot(), touched.sessionId(), touched.endOfLife()),
                    touched.endOfLife());
            if (!held) {
                LOG.log(Level.WARNING, () -> "the capacity slot of " + touched + " had expired and was taken");
            }
        }
        return touched;
    }

    private static BrokerException sessionNotFound() {
        return new BrokerException(ErrorCode.SESSION_NOT_FOUND, "session not found; initialize a new session");
    }
}
