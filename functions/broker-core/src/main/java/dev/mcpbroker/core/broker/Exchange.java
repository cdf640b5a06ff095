package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Objects;

/**
 * One agent message on its way through the pipeline, and everything the stages learned about it so far. It
 * starts as the decoded message ({@link #incoming}); {@link Admission} adds the server and the owner, and
 * {@link BoundSessions} the session. The audit subject grows with it, so a refusal at any stage is recorded
 * with what was known at that point.
 *
 * @param request the agent's HTTP request, as the function decoded it
 * @param message the JSON-RPC message in its body
 * @param method  the method table's entry for it
 * @param trace   the request's trace
 * @param subject what the audit trail records of it
 * @param server  the upstream it is for, once admitted; else null
 * @param owner   the identity a session must belong to, once admitted; else null
 * @param session where its messages go upstream (its session, or stateless requests), once bound; else null
 */
record Exchange(BrokerRequest request, JsonRpcMessage message, McpMethod method, RequestTrace trace,
                AuditTrail.Subject subject, UpstreamServer server, SessionOwner owner, UpstreamBinding session) {

    Exchange {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(subject, "subject");
    }

    static Exchange incoming(BrokerRequest request, JsonRpcMessage message, McpMethod method, RequestTrace trace,
                             AuditTrail.Subject subject) {
        return new Exchange(request, message, method, trace, subject, null, null, null);
    }

    Exchange admitted(UpstreamServer admittedServer, SessionOwner admittedOwner) {
        return new Exchange(request, message, method, trace, subject.withOwner(admittedOwner.tenantId()), admittedServer,
                admittedOwner, null);
    }

    Exchange bound(UpstreamBinding binding) {
        return new Exchange(request, message, method, trace, subject.withSession(binding.chainKey()), server, owner, binding);
    }

    /** The same exchange carrying another message (the one the broker relays in its place). */
    Exchange withMessage(JsonRpcMessage replacement) {
        return new Exchange(request, replacement, method, trace, subject, server, owner, session);
    }

    AgentIdentity identity() {
        return request.identity();
    }

    /** The message as a request; only stages that handle requests ask. */
    JsonRpcMessage.Request jsonRpcRequest() {
        return (JsonRpcMessage.Request) message;
    }

    /** The id a failure answers: the request's, or none for notifications and responses. */
    JsonNode requestId() {
        return message instanceof JsonRpcMessage.Request r ? r.id() : null;
    }

    @Override
    public String toString() {
        return "Exchange[" + method.name() + ", agent=" + request.identity().agentId() + ", server=" + request.serverId() + "]";
    }
}
