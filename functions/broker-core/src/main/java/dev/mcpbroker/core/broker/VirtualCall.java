package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.virtual.VirtualServer;
import java.util.Objects;

/**
 * One agent request to a virtual server, admitted, and what its member requests are made of.
 *
 * @param request      the agent's HTTP request
 * @param message      its JSON-RPC request
 * @param server       the virtual server
 * @param owner        the identity it belongs to
 * @param trace        the request's trace
 * @param subject      what the audit trail records of it as the virtual server's (refusals before any member)
 * @param stateless    whether the agent speaks 2026-07-28: its message carries its client's capabilities itself
 * @param capabilities a legacy agent's client capabilities from its initialize; null for a stateless agent
 * @param clientInfo   a legacy agent's client info from its initialize; null for a stateless agent
 * @param heldScope    the scope of the sessions held with legacy members: the virtual session of a legacy agent;
 *                     null for a stateless agent, whose held sessions are shared as for any server
 */
record VirtualCall(BrokerRequest request, JsonRpcMessage.Request message, VirtualServer server, SessionOwner owner,
                   RequestTrace trace, AuditTrail.Subject subject, boolean stateless, ObjectNode capabilities,
                   JsonNode clientInfo, String heldScope) {

    VirtualCall {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(subject, "subject");
    }

    @Override
    public String toString() {
        return "VirtualCall[" + message.method() + ", virtual=" + server.name() + ", agent=" + owner.agentId() + "]";
    }
}
