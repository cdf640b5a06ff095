package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.policy.AccessPolicy;
import java.util.Map;
import java.util.Objects;

/**
 * Relays what needs no stage of its own through the request's session: requests (audited around the upstream
 * contact, list results narrowed to the caller's grants), notifications and the agent's responses.
 */
final class Relay {

    private final AuditBracket audit;
    private final AccessPolicy policy;
    private final ToolCatalog tools;

    Relay(AuditBracket audit, AccessPolicy policy, ToolCatalog tools) {
        this.audit = Objects.requireNonNull(audit);
        this.policy = Objects.requireNonNull(policy);
        this.tools = Objects.requireNonNull(tools);
    }

    /** A request: sent in the session, answered with the upstream's response. */
    BrokerResponse request(Exchange exchange) {
        boolean safeToRepeat = exchange.method().repeat() == McpMethod.Repeat.SAFE;
        ObjectNode response = audit.around(exchange.subject(), () ->
                exchange.session().request(exchange.message().json(), Map.of(), safeToRepeat));
        if (exchange.method().governance() == McpMethod.Governance.TOOL_LIST) {
            tools.learn(exchange.server().id(), response.path(JsonRpc.RESULT));
            policy.filterToolList(exchange.identity(), exchange.server(), response);
        }
        return BrokerResponse.json(response);
    }

    /** A notification: sent in the session, 202 whatever the upstream made of it. */
    BrokerResponse notification(Exchange exchange) {
        try {
            exchange.session().send(exchange.message().json(), Map.of(), false);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_SESSION_LOST) {
                throw e;
            }
            // It concerned the upstream session that is gone; the re-opened one has nothing to be notified of.
        }
        return BrokerResponse.accepted();
    }

    /** The agent's response to a request the upstream sent it. */
    BrokerResponse response(Exchange exchange) {
        exchange.session().send(exchange.message().json(), Map.of(), false);
        return BrokerResponse.accepted();
    }
}
