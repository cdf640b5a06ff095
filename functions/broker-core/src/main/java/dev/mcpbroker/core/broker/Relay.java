package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.mcp.McpMethod;
import java.util.Map;
import java.util.Objects;

/**
 * Relays what needs no stage of its own through the request's session: requests (audited around the upstream
 * contact, list results narrowed to the caller's grants), notifications and the agent's responses.
 */
final class Relay {

    private final AuditBracket audit;
    private final Grants grants;

    Relay(AuditBracket audit, Grants grants) {
        this.audit = Objects.requireNonNull(audit);
        this.grants = Objects.requireNonNull(grants);
    }

    /** A request: sent in the session, answered with the upstream's response. */
    BrokerResponse request(Exchange exchange) {
        boolean safeToRepeat = exchange.method().repeat() == McpMethod.Repeat.SAFE;
        // what is safe to repeat changes nothing: recorded once its answer came; anything else has its intent first
        ObjectNode response = safeToRepeat
                ? audit.aroundRead(exchange.subject(), () -> exchange.session().request(exchange.message().json(), Map.of(), true))
                : audit.around(exchange.subject(), () -> exchange.session().request(exchange.message().json(), Map.of(), false));
        return BrokerResponse.json(grants.narrow(exchange, response));
    }

    /** A notification: sent in the session (recorded first when its entry says so), 202 whatever the upstream made of it. */
    BrokerResponse notification(Exchange exchange) {
        if (exchange.method().audit() == McpMethod.Audit.RECORDED) {
            audit.allowed(exchange.subject(), "notification_relayed");
        }
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

    /**
     * The agent's response to a request the upstream sent it. The broker relays no server-to-client request to an
     * agent yet, so no response can answer one: each is refused, and never reaches the upstream.
     */
    BrokerResponse response(Exchange exchange) {
        throw new BrokerException(ErrorCode.UNSOLICITED_RESPONSE,
                "this response answers no request the broker relayed to this agent");
    }
}
