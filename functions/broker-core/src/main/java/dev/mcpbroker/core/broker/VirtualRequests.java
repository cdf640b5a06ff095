package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessMessages;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.util.Objects;
import java.util.Optional;

/**
 * Requests to a virtual server ({@code /mcp/{virtual}}), of either generation. Admitted once (allowlist, rate
 * limits); a legacy agent's session is the broker's ({@link VirtualSessions}); lists are merged ({@link VirtualLists});
 * everything that names a tool, prompt or resource goes to the member that exposes it, in the member's names
 * ({@link VirtualRoutes}), and is governed there as a request to that upstream server ({@link VirtualMembers}).
 * Refusals before any member are recorded as the virtual server's; everything after, as the member's.
 */
final class VirtualRequests {

    private final VirtualServerRegistry virtuals;
    private final Admission admission;
    private final AuditBracket audit;
    private final VirtualLists lists;
    private final VirtualRoutes routes;
    private final VirtualSessions sessions;
    private final ObjectMapper mapper;

    VirtualRequests(BrokerPorts ports, Admission admission, AuditBracket audit, VirtualMembers members,
                    VirtualSessions sessions, ObjectMapper mapper) {
        this.virtuals = ports.virtualServers();
        this.admission = Objects.requireNonNull(admission);
        this.audit = Objects.requireNonNull(audit);
        this.lists = new VirtualLists(members, ports.metrics(), mapper);
        this.routes = new VirtualRoutes(members);
        this.sessions = Objects.requireNonNull(sessions);
        this.mapper = Objects.requireNonNull(mapper);
    }

    /**
     * The virtual server a path names, given what the upstream registry holds under it: none when an upstream server
     * has that id (an upstream always wins), so a request to an upstream server costs no further read.
     */
    Optional<VirtualServer> virtualServer(String pathName, Optional<?> registeredUpstream) {
        if (pathName == null || registeredUpstream.isPresent()) {
            return Optional.empty();
        }
        return virtuals.find(pathName);
    }

    BrokerResponse post(BrokerRequest request, JsonRpcMessage message, McpMethod method, RequestTrace trace,
                        VirtualServer server) {
        boolean stateless = StatelessMessages.isStateless(message, request.sessionId(), request.protocolVersion());
        AuditTrail.Subject subject = audit.subjectOf(request, message, trace.traceId());
        try {
            if (stateless) {
                StatelessEdge.check(request, message);
                trace.protocolVersion(StatelessMessages.version(message).orElse(request.protocolVersion()));
            }
            SessionOwner owner = admission.admitToVirtual(request.identity(), trace);
            trace.server(server.name());
            subject = subject.withOwner(owner.tenantId());
            if (stateless) {
                if (!(message instanceof JsonRpcMessage.Request r)) {
                    throw new BrokerException(ErrorCode.METHOD_NOT_FOUND, "Method not found: not a stateless request");
                }
                return route(new VirtualCall(request, r, server, owner, trace, subject, true, null, null, null));
            }
            if (message instanceof JsonRpcMessage.Request r && McpMethods.INITIALIZE.equals(r.method())) {
                return sessions.open(server, owner, r, subject);
            }
            BrokerSession session = sessions.bind(server, owner, request);
            trace.session(SessionIds.hash(session.sessionId()));
            trace.protocolVersion(session.protocolVersion());
            subject = subject.withSession(session.sessionId());
            return switch (message) {
                case JsonRpcMessage.Request r -> {
                    ObjectNode params = sessions.initializeParams(session);
                    yield route(new VirtualCall(request, r, server, owner, trace, subject, false,
                            StatelessTranslation.relayable(params.path("capabilities")), params.path("clientInfo"),
                            session.sessionId()));
                }
                case JsonRpcMessage.Notification n -> notification(method);
                case JsonRpcMessage.Response r -> throw new BrokerException(ErrorCode.UNSOLICITED_RESPONSE,
                        "this response answers no request the broker relayed to this agent");
            };
        } catch (VirtualMembers.MemberFailure e) {
            throw withRequestId(e.failure(), message);
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            audit.refused(subject, failure, true);
            throw withRequestId(failure, message);
        }
    }

    /** {@code DELETE} of a legacy agent's virtual session. */
    BrokerResponse delete(AgentIdentity identity, VirtualServer server, BrokerRequest request, RequestTrace trace) {
        AuditTrail.Subject subject = new AuditTrail.Subject(identity.agentId(), identity.tenantId(), identity.onBehalfOf(),
                null, server.name(), "DELETE", null, null, null, null, trace.traceId());
        try {
            SessionOwner owner = admission.admitToVirtual(identity, trace);
            return sessions.end(server, owner, request, subject.withOwner(owner.tenantId()));
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            audit.refused(subject, failure, true);
            throw failure;
        }
    }

    private BrokerResponse route(VirtualCall call) {
        String method = call.message().method();
        if (VirtualLists.isList(method)) {
            return lists.merge(call);
        }
        return switch (method) {
            case McpMethods.PING, McpMethods.LOGGING_SET_LEVEL -> answer(call, mapper.createObjectNode());
            case McpMethods.SERVER_DISCOVER -> discover(call);
            default -> routes.send(call);
        };
    }

    /**
     * {@code ping} is the broker's to answer; {@code logging/setLevel} too: log messages of a member reach the agent
     * with the answer they accompany, and a level is not relayed to every member.
     */
    private BrokerResponse answer(VirtualCall call, ObjectNode result) {
        audit.allowed(call.subject(), "virtual_server_answer");
        if (call.stateless()) {
            result.put(McpMeta.RESULT_TYPE, McpMeta.COMPLETE);
        }
        ObjectNode response = mapper.createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, call.message().id());
        response.set(JsonRpc.RESULT, result);
        return BrokerResponse.json(response);
    }

    private BrokerResponse discover(VirtualCall call) {
        ObjectNode result = mapper.createObjectNode();
        ProtocolVersions.MODERN.forEach(result.putArray("supportedVersions")::add);
        result.set("capabilities", VirtualCapabilities.forStateless(mapper));
        result.putObject(McpMeta.META).putObject(McpMeta.SERVER_INFO).put("name", call.server().name()).put("version", "1");
        result.put(McpMeta.CACHE_SCOPE, "private");
        return answer(call, result);
    }

    /** A legacy agent's notifications concern the broker's session: those MCP defines for clients are taken, not relayed. */
    private static BrokerResponse notification(McpMethod method) {
        return switch (method.relay()) {
            case ABSORB, NOTIFY -> BrokerResponse.accepted();
            default -> throw new BrokerException(ErrorCode.NOTIFICATION_NOT_ALLOWED,
                    "this notification is not one a client sends; it was not relayed");
        };
    }

    private static BrokerException withRequestId(BrokerException failure, JsonRpcMessage message) {
        JsonNode id = message instanceof JsonRpcMessage.Request r ? r.id() : null;
        return id == null ? failure : failure.withRequestId(id);
    }
}
