package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.OutcomeView;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpMethods;
import java.util.List;
import java.util.Objects;

/**
 * {@code mcp-broker/outcome}: "did my call with this key land?", answered from the broker's own records without
 * contacting the upstream: COMPLETED with the stored answer, IN_PROGRESS, UNKNOWN, or NONE (never claimed, or past
 * retention). Only the caller's own keys are visible: the scope includes its tenant and agent.
 */
final class OutcomeQuery {

    private final IdempotencyGuard guard;
    private final AuditBracket audit;
    private final Replies replies;

    OutcomeQuery(IdempotencyGuard guard, AuditBracket audit, Replies replies) {
        this.guard = Objects.requireNonNull(guard);
        this.audit = Objects.requireNonNull(audit);
        this.replies = Objects.requireNonNull(replies);
    }

    BrokerResponse answer(Exchange exchange) {
        audit.allowed(exchange.subject(), "outcome_query");
        JsonRpcMessage.Request request = exchange.jsonRpcRequest();
        String tool = request.params().path("tool").asText("");
        String key = request.params().path("idempotencyKey").asText("");
        if (tool.isEmpty() || key.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, McpMethods.BROKER_OUTCOME
                    + " needs params.tool and params.idempotencyKey");
        }
        OutcomeView view = guard.outcome(new IdempotencyScope(exchange.owner().tenantId(), exchange.owner().agentId(),
                exchange.identity().onBehalfOf(),
                exchange.server().id(), tool, key));
        ObjectNode result = replies.object();
        switch (view) {
            case OutcomeView.None none -> result.put("status", "NONE");
            case OutcomeView.InProgress inProgress -> result.put("status", "IN_PROGRESS")
                    .put("retryAfter", Math.max(1, inProgress.retryAfter().toSeconds()));
            case OutcomeView.Unknown unknown -> result.put("status", "UNKNOWN");
            case OutcomeView.Completed completed -> {
                result.put("status", "COMPLETED");
                ObjectNode stored = replies.storedAnswer(request.id(), completed.result());
                stored.remove(List.of(JsonRpc.ID, JsonRpc.JSONRPC));
                result.set("response", stored);
            }
        }
        return BrokerResponse.json(replies.result(request.id(), result));
    }
}
