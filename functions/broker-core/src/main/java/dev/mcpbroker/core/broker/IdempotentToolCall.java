package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.mcp.McpMeta;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.idempotency.Decision;
import dev.mcpbroker.core.idempotency.Fingerprints;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.IdempotencyKeys;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.UpstreamKeys;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.IdempotencyDecision;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;

/**
 * A state-changing {@code tools/call} runs at most once per idempotency key: the key is claimed with a conditional
 * write before the upstream is contacted, the answer is stored and replayed, and an attempt whose outcome is
 * unknown stays unknown — it is never retried by the broker.
 */
final class IdempotentToolCall {

    private static final System.Logger LOG = System.getLogger(IdempotentToolCall.class.getName());

    private final IdempotencyGuard guard;
    private final UpstreamKeys upstreamKeys;
    private final AuditBracket audit;
    private final BrokerMetrics metrics;
    private final Replies replies;
    private final boolean requireKeyByDefault;

    IdempotentToolCall(IdempotencyGuard guard, UpstreamKeys upstreamKeys, AuditBracket audit, BrokerMetrics metrics,
                       Replies replies, boolean requireKeyByDefault) {
        this.guard = Objects.requireNonNull(guard);
        this.upstreamKeys = Objects.requireNonNull(upstreamKeys);
        this.audit = Objects.requireNonNull(audit);
        this.metrics = Objects.requireNonNull(metrics);
        this.replies = Objects.requireNonNull(replies);
        this.requireKeyByDefault = requireKeyByDefault;
    }

    BrokerResponse call(Exchange exchange, String tool) {
        JsonRpcMessage.Request request = exchange.jsonRpcRequest();
        UpstreamServer server = exchange.server();
        String key = IdempotencyKeys.validated(IdempotencyKeys.sent(exchange.request().idempotencyKey(), request));
        if (key == null) {
            if (server.toolPolicy().requireIdempotencyKey().orElse(requireKeyByDefault)) {
                throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "tool '" + tool + "' changes state: send an "
                        + McpHeaders.IDEMPOTENCY_KEY + " header or params._meta[\"" + McpHeaders.IDEMPOTENCY_KEY_META + "\"]");
            }
            return BrokerResponse.json(audit.around(exchange.subject(), () ->
                    exchange.session().request(request.json(), Map.of(), false)));
        }
        IdempotencyScope scope = new IdempotencyScope(exchange.owner().tenantId(), exchange.owner().agentId(),
                exchange.identity().onBehalfOf(), server.id(), tool, key);
        // the claim is the call's durable intent: recorded in the same write, and only when the call will be sent
        Decision decision = guard.begin(scope, Fingerprints.of(request.params().path("arguments")),
                audit.intentEvent(exchange.subject()));
        IdempotencyDecision decided = switch (decision) {
            case Decision.Execute execute -> IdempotencyDecision.EXECUTE;
            case Decision.Replay replay -> IdempotencyDecision.REPLAY;
            case Decision.Conflict conflict -> IdempotencyDecision.CONFLICT;
            case Decision.InFlight inFlight -> IdempotencyDecision.IN_PROGRESS;
            case Decision.Unknown unknown -> IdempotencyDecision.UNKNOWN;
        };
        exchange.trace().idempotency(decided);
        metrics.idempotencyDecision(server.id(), decided.wireName());
        return switch (decision) {
            case Decision.Replay replay -> {
                audit.allowed(exchange.subject(), "idempotent_replay");
                yield BrokerResponse.json(replies.storedAnswer(request.id(), replay.result()));
            }
            case Decision.Conflict conflict -> throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "this idempotency key was used with other arguments");
            case Decision.InFlight inFlight -> throw new BrokerException(ErrorCode.IDEMPOTENCY_IN_PROGRESS,
                    "a request with this idempotency key is executing").withRetryAfter(inFlight.retryAfter());
            case Decision.Unknown unknown -> throw new BrokerException(ErrorCode.OUTCOME_UNKNOWN,
                    "an earlier attempt with this idempotency key may have executed; query its outcome before acting");
            case Decision.Execute execute -> execute(exchange, upstreamKeys.upstreamKey(scope), execute.claim());
        };
    }

    private BrokerResponse execute(Exchange exchange, String key, IdempotencyRecord claim) {
        String serverId = exchange.server().id();
        // A key travels upstream too, so an upstream that deduplicates can do so itself: derived from the scope, so it
        // is stable across retries and never collides with another tenant's.
        ObjectNode message = exchange.message().json().deepCopy();
        message.withObjectProperty(JsonRpc.PARAMS).withObjectProperty("_meta").put(McpHeaders.IDEMPOTENCY_KEY_META, key);
        ObjectNode response;
        long started = System.nanoTime();
        try {
            response = exchange.session().request(message, Map.of(McpHeaders.IDEMPOTENCY_KEY, key), false);
        } catch (BrokerException e) {
            audit.failed(exchange.subject(), e, started);
            if (e.failureClass() == FailureClass.AMBIGUOUS) {
                unknown(serverId, claim);
            } else if (!guard.notExecuted(claim)) {
                // Refused or never delivered, so a retry could execute it; the record stays in progress until its
                // lease runs out and is then unknown, which is safe but makes the agent ask.
                notUpdated(serverId, "not_executed", claim);
            }
            throw e;
        } catch (RuntimeException e) {
            audit.failed(exchange.subject(), e, started);
            unknown(serverId, claim);
            throw e;
        }
        AuditEvent outcome = audit.outcomeEvent(exchange.subject(), response, started);
        if (McpMeta.INPUT_REQUIRED.equals(response.path(JsonRpc.RESULT).path(McpMeta.RESULT_TYPE).asText())) {
            // A multi round-trip request asks before it acts: the call is not done, and its retry (with the answers)
            // carries the same key. Released, so that retry executes and its answer is the one kept.
            audit.outcome(outcome);
            if (!guard.notExecuted(claim)) {
                notUpdated(serverId, "input_required", claim);
            }
            return BrokerResponse.json(response);
        }
        // the answer is kept for replay together with the call's outcome: one write after the upstream
        IdempotencyGuard.Completion completion = guard.completed(claim, replies.answerOf(response), outcome);
        if (completion != IdempotencyGuard.Completion.STORED) {
            // The agent still gets its answer; retries get "unknown" instead of the replay. The outcome is recorded
            // on its own, since it did not go with the result.
            audit.outcome(outcome);
            notUpdated(serverId, "completed_" + completion.name().toLowerCase(java.util.Locale.ROOT), claim);
        }
        return BrokerResponse.json(response);
    }

    private void unknown(String serverId, IdempotencyRecord claim) {
        metrics.idempotencyOutcomeUnknown(serverId);
        if (!guard.ambiguous(claim)) {
            notUpdated(serverId, "ambiguous", claim); // the lease turns it unknown anyway
        }
    }

    private void notUpdated(String serverId, String transition, IdempotencyRecord claim) {
        metrics.idempotencyRecordNotUpdated(serverId, transition);
        LOG.log(Level.WARNING, () -> "idempotency record " + claim + " not updated (" + transition + ")");
    }
}
