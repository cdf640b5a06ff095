package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpMessages;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessMessages;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.telemetry.TraceContext;
import java.time.Clock;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.core.virtual.VirtualServer;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker's request path, one agent-facing MCP endpoint per upstream server (and per virtual server, whose
 * requests {@link VirtualRequests} spreads over its members): a pipeline of small stages around
 * the table of MCP methods ({@link McpMethods}). Every message is decoded, admitted ({@link Admission}), bound to
 * its session ({@link BoundSessions}) and then handled as its method's entry says: a session opened
 * ({@link SessionOpening}), a tool called ({@link ToolCalls}), an outcome answered ({@link OutcomeQuery}), or the
 * message relayed ({@link Relay}). Every refusal happens before any upstream contact and is counted and audited
 * here, in one place ({@link AuditBracket#refused}). No state lives in the process: the session is read on every
 * request, so any instance can serve any request. See {@code DESIGN.md} beside this class.
 */
public final class McpBroker {

    private final JsonRpcCodec codec;
    private final int maxBodyBytes;
    private final AuditBracket audit;
    private final Admission admission;
    private final BoundSessions sessions;
    private final SessionOpening opening;
    private final ToolCalls tools;
    private final OutcomeQuery outcomes;
    private final Grants grants;
    private final Relay relay;
    private final SessionEnding ending;
    private final StatelessRequests statelessRequests;
    private final UpstreamGenerations generations;
    private final VirtualRequests virtualRequests;

    public McpBroker(JsonRpcCodec codec, BrokerPorts ports, SessionIds sessionIds, Clock clock, BrokerSettings settings) {
        this.codec = Objects.requireNonNull(codec);
        this.maxBodyBytes = settings.maxBodyBytes();
        Replies replies = new Replies(codec.mapper());
        this.audit = new AuditBracket(ports.audit(), ports.metrics(), new RefusalLog(clock));
        this.admission = new Admission(ports.upstreams(), ports.policy(), ports.rateLimiter(), ports.metrics(), clock,
                settings.defaultAgentRateLimit());
        this.generations = new UpstreamGenerations(ports.upstream(), codec.mapper(),
                settings.upstreamLearningTtl(), clock);
        this.sessions = new BoundSessions(ports.sessions(), ports.capacity(),
                new BoundSession.Collaborators(ports.upstream(), ports.metrics(), codec.mapper()), generations,
                settings.sessions(), clock);
        this.opening = new SessionOpening(ports, audit, replies, sessionIds, generations, settings.sessions(), clock);
        ToolLists toolLists = new ToolLists(ports.tools(), ports.pins().live(), codec.mapper());
        ToolPinning pinning = new ToolPinning(ports.pins(), toolLists, audit, ports.metrics());
        this.grants = new Grants(ports.policy(), ports.taskOwners(), pinning, clock);
        this.tools = new ToolCalls(grants, pinning, new StateChangingTools(ports.tools(), toolLists),
                new IdempotentToolCall(ports.idempotency(), ports.upstreamKeys(), audit, ports.metrics(), replies,
                        settings.requireIdempotencyKey()),
                audit, ports.metrics());
        this.outcomes = new OutcomeQuery(ports.idempotency(), audit, replies);
        this.relay = new Relay(audit, grants);
        this.ending = new SessionEnding(sessions, ports, audit, clock);
        this.statelessRequests = new StatelessRequests(generations,
                new HeldSessions(ports, sessions, audit, codec.mapper(), settings.sessions(), clock),
                new Discovery(generations, audit, replies, codec.mapper()),
                new StatelessResults(ports.upstreamKeys(), settings.grantTtl()), ports.policy(), ports.upstream());
        this.virtualRequests = new VirtualRequests(ports, admission, audit,
                new VirtualMembers(admission, ports.policy(), audit, statelessRequests, generations, this::request),
                new VirtualSessions(ports, sessions, audit, sessionIds, codec.mapper(), settings.sessions(), clock),
                codec.mapper());
    }

    /** Handles one POSTed JSON-RPC message, traced by nothing. */
    public BrokerResponse post(BrokerRequest request) {
        return post(request, RequestTrace.NONE);
    }

    /** Handles one POSTed JSON-RPC message, telling {@code trace} what it learns on the way. */
    public BrokerResponse post(BrokerRequest request, RequestTrace trace) {
        JsonRpcMessage message = decode(request);
        traceMessage(trace, message);
        trace.caller(request.identity().agentId(), request.identity().tenantId());
        Optional<UpstreamServer> registered;
        Optional<VirtualServer> virtual;
        try {
            registered = admission.registered(request.serverId());
            virtual = virtualRequests.virtualServer(request.serverId(), registered);
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            throw message instanceof JsonRpcMessage.Request r ? failure.withRequestId(r.id()) : failure;
        }
        if (virtual.isPresent()) {
            return virtualRequests.post(request, message, methodOf(message), trace, virtual.get());
        }
        boolean stateless = StatelessMessages.isStateless(message, request.sessionId(), request.protocolVersion());
        Exchange exchange = Exchange.incoming(request, message, methodOf(message), trace,
                audit.subjectOf(request, message, trace.traceId()));
        try {
            if (stateless) {
                StatelessEdge.check(request, message);
                trace.protocolVersion(StatelessMessages.version(message).orElse(request.protocolVersion()));
            }
            exchange = admission.admit(exchange, registered);
            if (stateless) {
                return statelessRequests.handle(exchange, this::request);
            }
            if (exchange.method().relay() == McpMethod.Relay.OPEN_SESSION) {
                return opening.open(exchange);
            }
            exchange = sessions.bind(exchange);
            return switch (exchange.message()) {
                case JsonRpcMessage.Request r -> Replies.withNotifications(request(exchange), exchange);
                case JsonRpcMessage.Notification n -> notification(exchange);
                case JsonRpcMessage.Response r -> relay.response(exchange);
            };
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            relearnAfter(failure, exchange);
            audit.refused(exchange.subject(), failure, true);
            JsonNode id = exchange.requestId();
            throw id == null ? failure : failure.withRequestId(id);
        }
    }

    /**
     * An upstream that refused the request's shape or answered outside the protocol may have changed generation
     * (upgraded, or rolled back): the next request learns again what it speaks.
     */
    private void relearnAfter(BrokerException failure, Exchange exchange) {
        if (exchange.server() != null && (failure.code() == ErrorCode.UPSTREAM_REJECTED
                || failure.code() == ErrorCode.UPSTREAM_PROTOCOL_ERROR)) {
            generations.forget(exchange.server().id());
        }
    }

    /** Ends a session, traced by nothing. */
    public BrokerResponse delete(AgentIdentity identity, String serverId, String sessionId, String protocolVersion) {
        return delete(identity, serverId, sessionId, protocolVersion, RequestTrace.NONE);
    }

    /** Ends a session: the record first, so no instance serves it again, then the upstream session. */
    public BrokerResponse delete(AgentIdentity identity, String serverId, String sessionId, String protocolVersion,
                                 RequestTrace trace) {
        if (ProtocolVersions.isModern(protocolVersion)) {
            // 2026-07-28 has no sessions to end
            throw new BrokerException(ErrorCode.METHOD_NOT_ALLOWED, "the stateless protocol has no sessions to delete");
        }
        Optional<UpstreamServer> registered = admission.registered(serverId);
        Optional<VirtualServer> virtual = virtualRequests.virtualServer(serverId, registered);
        if (virtual.isPresent()) {
            return virtualRequests.delete(identity, virtual.get(),
                    new BrokerRequest(identity, serverId, sessionId, protocolVersion, null, null), trace);
        }
        AuditTrail.Subject subject = new AuditTrail.Subject(identity.agentId(), identity.tenantId(), identity.onBehalfOf(),
                null, serverId, "DELETE", null, null, null, null, trace.traceId());
        try {
            Admission.Admitted admitted = admission.admitWithoutRateLimits(identity, registered, trace);
            subject = subject.withOwner(admitted.owner().tenantId());
            return ending.end(admitted, subject, sessionId, protocolVersion, trace);
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            audit.refused(subject, failure, true);
            throw failure;
        }
    }

    private JsonRpcMessage decode(BrokerRequest request) {
        if (request.body() == null || request.body().length == 0) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "the request body must be one JSON-RPC message");
        }
        if (request.body().length > maxBodyBytes) {
            throw new BrokerException(ErrorCode.BODY_TOO_LARGE, "request body exceeds " + maxBodyBytes + " bytes");
        }
        return codec.parse(request.body());
    }

    private static McpMethod methodOf(JsonRpcMessage message) {
        return switch (message) {
            case JsonRpcMessage.Request r -> McpMethods.of(r.method(), McpMethod.Kind.REQUEST);
            case JsonRpcMessage.Notification n -> McpMethods.of(n.method(), McpMethod.Kind.NOTIFICATION);
            case JsonRpcMessage.Response r -> McpMethods.RESPONSE;
        };
    }

    /** Requests: governed, then dispatched by their method table entry. */
    private BrokerResponse request(Exchange exchange) {
        McpMethod method = exchange.method();
        grants.check(exchange);
        if (method.relay() == McpMethod.Relay.BROKER) {
            return outcomes.answer(exchange);
        }
        return method.governance() == McpMethod.Governance.TOOL ? tools.call(exchange) : relay.request(exchange);
    }

    /** Notifications: only those the specification names for clients are relayed. */
    private BrokerResponse notification(Exchange exchange) {
        return switch (exchange.method().relay()) {
            case ABSORB -> BrokerResponse.accepted();
            case NOTIFY -> relay.notification(exchange);
            default -> throw new BrokerException(ErrorCode.NOTIFICATION_NOT_ALLOWED,
                    "this notification is not one a client sends; it was not relayed");
        };
    }

    /** What the trace learns from the message itself: its method, id and tool, and context the agent carried in {@code _meta}. */
    private static void traceMessage(RequestTrace trace, JsonRpcMessage message) {
        switch (message) {
            case JsonRpcMessage.Request r -> trace.message(r.method(), r.id().isNull() ? null : r.id().asText(),
                    McpMessages.toolName(r), TraceContext.carriedBy(r.json()));
            case JsonRpcMessage.Notification n -> trace.message(n.method(), null, null, TraceContext.carriedBy(n.json()));
            case JsonRpcMessage.Response r -> trace.message(null, null, null, TraceContext.NONE);
        }
    }
}
