package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.IdempotencyKeys;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpMessages;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The audit trail on the request path: what a request is recorded as ({@link #subjectOf}), the intent and outcome
 * around every upstream contact (fail closed: no intent, no contact), the broker's own answers, and refusals.
 */
final class AuditBracket {

    /**
     * Longest value of a field the agent chooses (method, tool, JSON-RPC id, path server id) that an event records:
     * MCP names are at most 128 characters, so a longer one is cut, and an event's size stays bounded whatever the
     * request carried.
     */
    static final int MAX_CHOSEN_FIELD = 128;

    private final AuditTrail audit;
    private final BrokerMetrics metrics;
    private final RefusalLog refusals;

    AuditBracket(AuditTrail audit, BrokerMetrics metrics, RefusalLog refusals) {
        this.audit = Objects.requireNonNull(audit);
        this.metrics = Objects.requireNonNull(metrics);
        this.refusals = Objects.requireNonNull(refusals);
    }

    /**
     * What the audit trail records of a message before anything is known about its server or session: who asks,
     * which method and tool, the keyed fingerprint of the arguments (computed once per request), the idempotency
     * key (only a well-formed one: a malformed key is refused, and not recorded) and the JSON-RPC id.
     */
    AuditTrail.Subject subjectOf(BrokerRequest request, JsonRpcMessage message, String traceId) {
        String method = null;
        String tool = null;
        String fingerprint = null;
        String correlation = null;
        String key = IdempotencyKeys.sent(request.idempotencyKey(), message);
        if (message instanceof JsonRpcMessage.Request r) {
            method = r.method();
            correlation = r.id().asText();
            tool = McpMessages.toolName(r);
            if (tool != null) {
                JsonNode args = r.params().path("arguments");
                fingerprint = audit.fingerprint(args instanceof ObjectNode object ? object : r.params().objectNode());
            }
        } else if (message instanceof JsonRpcMessage.Notification n) {
            method = n.method();
            // a cancellation names the request it cancels
            correlation = n.json().path(JsonRpc.PARAMS).path("requestId").asText(null);
        }
        return new AuditTrail.Subject(request.identity().agentId(), request.identity().tenantId(),
                request.identity().onBehalfOf(), null, capped(request.serverId()), capped(method), capped(tool), fingerprint,
                IdempotencyKeys.isWellFormed(key) ? key : null, capped(correlation), traceId);
    }

    /** An agent-chosen value as events record it: cut to {@link #MAX_CHOSEN_FIELD} characters, marked when cut. */
    static String capped(String chosen) {
        return chosen == null || chosen.length() <= MAX_CHOSEN_FIELD ? chosen
                : chosen.substring(0, MAX_CHOSEN_FIELD - 3) + "...";
    }

    /**
     * Brackets one upstream contact: the intent is recorded first, and if it cannot be the call is refused as not
     * executed (fail closed); the outcome follows, whatever it is.
     */
    ObjectNode around(AuditTrail.Subject subject, Supplier<ObjectNode> upstreamCall) {
        return around(subject, upstreamCall, response -> response);
    }

    /** {@link #around(AuditTrail.Subject, Supplier)} for a call whose result holds the JSON-RPC response it answered. */
    <T> T around(AuditTrail.Subject subject, Supplier<T> upstreamCall, Function<T, ObjectNode> responseOf) {
        try {
            audit.intent(subject);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.AUDIT_UNAVAILABLE, "the audit trail cannot record this call", e);
        }
        long started = System.nanoTime();
        try {
            T result = upstreamCall.get();
            audit.outcome(subject, outcomeOf(responseOf.apply(result)), null, elapsedMillis(started));
            return result;
        } catch (BrokerException e) {
            audit.outcome(subject, AuditEvent.OutcomeClass.of(e.failureClass()), e.code().reason(), elapsedMillis(started));
            throw e;
        } catch (RuntimeException e) {
            audit.outcome(subject, AuditEvent.OutcomeClass.AMBIGUOUS, ErrorCode.INTERNAL_ERROR.reason(), elapsedMillis(started));
            throw e;
        }
    }

    /**
     * Brackets an upstream call that changes nothing (a read-only tool, a list, a resource read): it is sent at once,
     * and recorded, intent and outcome in one write, after its answer came and before the answer is released. If
     * the record cannot be written the answer is withheld: nobody sees what the trail does not show.
     */
    <T> T aroundRead(AuditTrail.Subject subject, Supplier<T> upstreamCall, Function<T, ObjectNode> responseOf) {
        AuditEvent intent = audit.intentEvent(subject);
        long started = System.nanoTime();
        T result;
        try {
            result = upstreamCall.get();
        } catch (BrokerException e) {
            recordRead(intent, audit.outcomeEvent(subject, AuditEvent.OutcomeClass.of(e.failureClass()), e.code().reason(),
                    elapsedMillis(started)), e);
            throw e;
        } catch (RuntimeException e) {
            recordRead(intent, audit.outcomeEvent(subject, AuditEvent.OutcomeClass.AMBIGUOUS, ErrorCode.INTERNAL_ERROR.reason(),
                    elapsedMillis(started)), e);
            throw e;
        }
        recordRead(intent, audit.outcomeEvent(subject, outcomeOf(responseOf.apply(result)), null, elapsedMillis(started)), null);
        return result;
    }

    ObjectNode aroundRead(AuditTrail.Subject subject, Supplier<ObjectNode> upstreamCall) {
        return aroundRead(subject, upstreamCall, response -> response);
    }

    private void recordRead(AuditEvent intent, AuditEvent outcome, RuntimeException failure) {
        try {
            audit.read(intent, outcome);
        } catch (StoreUnavailableException e) {
            BrokerException withheld = new BrokerException(ErrorCode.AUDIT_UNAVAILABLE,
                    "the audit trail cannot record this call; its answer is withheld", e);
            if (failure != null) {
                withheld.addSuppressed(failure);
            }
            throw withheld;
        }
    }

    /** The intent of a call, not yet recorded (an idempotency claim records it). */
    AuditEvent intentEvent(AuditTrail.Subject subject) {
        return audit.intentEvent(subject);
    }

    /** The outcome of a call that answered, not yet recorded (an idempotency completion records it). */
    AuditEvent outcomeEvent(AuditTrail.Subject subject, ObjectNode response, long startedNanos) {
        return audit.outcomeEvent(subject, outcomeOf(response), null, elapsedMillis(startedNanos));
    }

    /** Records the outcome of a call whose intent a claim recorded; never throws. */
    void outcome(AuditEvent outcome) {
        audit.outcome(outcome);
    }

    /** Records that a call whose intent a claim recorded failed; never throws. */
    void failed(AuditTrail.Subject subject, RuntimeException failure, long startedNanos) {
        if (failure instanceof BrokerException e) {
            audit.outcome(subject, AuditEvent.OutcomeClass.of(e.failureClass()), e.code().reason(), elapsedMillis(startedNanos));
        } else {
            audit.outcome(subject, AuditEvent.OutcomeClass.AMBIGUOUS, ErrorCode.INTERNAL_ERROR.reason(), elapsedMillis(startedNanos));
        }
    }

    /** What an answer says of the call: refused by the protocol, failed as a tool, or done. */
    static AuditEvent.OutcomeClass outcomeOf(ObjectNode response) {
        return response.has(JsonRpc.ERROR) ? AuditEvent.OutcomeClass.DETERMINISTIC
                : response.path(JsonRpc.RESULT).path("isError").asBoolean(false) ? AuditEvent.OutcomeClass.TOOL_ERROR
                : AuditEvent.OutcomeClass.OK;
    }

    /**
     * Records an allowed decision that is not an upstream call: a request the broker answers itself (a replayed
     * result, an outcome query, a warm session, an ended session) or a notification about to be relayed. Fail
     * closed: it may reveal stored results, or act upstream.
     */
    void allowed(AuditTrail.Subject subject, String reason) {
        try {
            audit.allowed(subject, reason);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.AUDIT_UNAVAILABLE, "the audit trail cannot record this request", e);
        }
    }

    /**
     * Counts a failure that is a refusal of the policy layer. A refusal of an allowlisted agent is recorded as a
     * denied decision (best effort: the request is refused either way); one of an identity or server the broker
     * does not know is only logged, sampled, so strangers cannot make the trail grow. Other failures are neither:
     * they were recorded as outcomes, or happened before anything was admitted.
     *
     * @param audited whether the refused message is one the trail records (requests, notifications and session ends)
     */
    void refused(AuditTrail.Subject subject, BrokerException failure, boolean audited) {
        if (!failure.code().isRefusal()) {
            return;
        }
        metrics.requestDenied(failure.code().reason());
        if (!failure.code().isAuditedRefusal()) {
            refusals.refused(failure.code().reason(), subject.agentId());
        } else if (audited) {
            audit.denied(subject, failure.code().reason());
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
