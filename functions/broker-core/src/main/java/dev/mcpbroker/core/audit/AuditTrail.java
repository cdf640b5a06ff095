package dev.mcpbroker.core.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What the request path records, and when: a request the policy layer admits gets an
 * {@link AuditEvent.Kind#INTENT} before anything is sent upstream — if it cannot be recorded the request
 * is refused (fail closed) — and an {@link AuditEvent.Kind#OUTCOME} after; a refused request gets a
 * {@link AuditEvent.Kind#DECISION} with the refusal's stable reason. Arguments are recorded only as a
 * keyed fingerprint.
 */
public final class AuditTrail {

    private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());
    /** An outcome happened; recording it is retried this often before it is given up (and logged). */
    private static final int OUTCOME_ATTEMPTS = 3;

    private final AuditOutbox outbox;
    private final ArgumentFingerprinter fingerprinter;
    private final Clock clock;

    public AuditTrail(AuditOutbox outbox, ArgumentFingerprinter fingerprinter, Clock clock) {
        this.outbox = Objects.requireNonNull(outbox);
        this.fingerprinter = Objects.requireNonNull(fingerprinter);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Who asked what of whom, for one request. Arguments appear only as their keyed fingerprint
     * ({@link #fingerprint}), computed once per request.
     *
     * @param traceId the request's distributed trace, or null when it is not traced
     */
    public record Subject(String agentId, String tenantId, String onBehalfOf, String sessionId, String serverId,
                          String method, String tool, String argumentFingerprint, String idempotencyKey,
                          String correlationId, String traceId) {

        /** The tenant the allowlist assigns, which the token may not have named. */
        public Subject withOwner(String ownerTenantId) {
            return new Subject(agentId, ownerTenantId, onBehalfOf, sessionId, serverId, method, tool, argumentFingerprint,
                    idempotencyKey, correlationId, traceId);
        }

        public Subject withSession(String newSessionId) {
            return new Subject(agentId, tenantId, onBehalfOf, newSessionId, serverId, method, tool, argumentFingerprint,
                    idempotencyKey, correlationId, traceId);
        }

        @Override
        public String toString() {
            return "Subject[agent=" + agentId + ", server=" + serverId + ", method=" + method + ", tool=" + tool + "]";
        }
    }

    /** The keyed fingerprint of a call's arguments: all the audit trail ever keeps of them. */
    public String fingerprint(ObjectNode arguments) {
        return fingerprinter.fingerprint(arguments);
    }

    /**
     * Records that an admitted request is about to be sent upstream.
     *
     * @throws StoreUnavailableException when it could not be recorded: the request must be refused
     */
    public AuditEvent intent(Subject subject) {
        return outbox.append(intentEvent(subject));
    }

    /** The intent of {@code subject}, dated now, not yet recorded: for a write that records it with something else. */
    public AuditEvent intentEvent(Subject subject) {
        return base(AuditEvent.Kind.INTENT, subject).decision(AuditEvent.Decision.ALLOWED).build();
    }

    /** What came of {@code subject}, dated now, not yet recorded. */
    public AuditEvent outcomeEvent(Subject subject, AuditEvent.OutcomeClass outcome, String reason, long upstreamLatencyMillis) {
        return base(AuditEvent.Kind.OUTCOME, subject)
                .decision(AuditEvent.Decision.ALLOWED)
                .outcomeClass(outcome)
                .reason(reason)
                .upstreamLatencyMillis(upstreamLatencyMillis)
                .build();
    }

    /**
     * Records a call that changed nothing, once its answer came and before it is released: its intent and outcome in
     * one write. A read needs no durable intent before it is sent, only a record before anyone sees its answer.
     *
     * @throws StoreUnavailableException when it could not be recorded: the answer must be withheld
     */
    public void read(AuditEvent intent, AuditEvent outcome) {
        outbox.appendAll(List.of(intent, outcome));
    }

    /** Records what came of an admitted request. Never throws: the outcome has happened either way. */
    public void outcome(Subject subject, AuditEvent.OutcomeClass outcome, String reason, long upstreamLatencyMillis) {
        outcome(outcomeEvent(subject, outcome, reason, upstreamLatencyMillis));
    }

    /** Records an outcome built by {@link #outcomeEvent}. Never throws: the outcome has happened either way. */
    public void outcome(AuditEvent event) {
        for (int attempt = 1; attempt <= OUTCOME_ATTEMPTS; attempt++) {
            try {
                outbox.append(event);
                return;
            } catch (StoreUnavailableException e) {
                if (attempt == OUTCOME_ATTEMPTS) {
                    // The intent is recorded; the verifier shows this call as an intent without outcome.
                    LOG.log(Level.ERROR, "audit outcome " + event.eventId() + " could not be recorded: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Records a refusal. Best effort: the request is refused whether or not this is recorded, so nothing
     * happened that the trail misses.
     */
    public void denied(Subject subject, String reason) {
        try {
            outbox.append(base(AuditEvent.Kind.DECISION, subject).decision(AuditEvent.Decision.DENIED).reason(reason).build());
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, "audit decision could not be recorded: " + e.getMessage());
        }
    }

    /**
     * Records an allowed decision that is not an upstream call: a request the broker answered itself after admitting
     * it (a replayed idempotent result, an outcome query, a warm session), or a notification about to be relayed
     * (a cancellation). Fail closed like an intent: it reveals stored results, or acts upstream.
     */
    public void allowed(Subject subject, String reason) {
        outbox.append(base(AuditEvent.Kind.DECISION, subject).decision(AuditEvent.Decision.ALLOWED).reason(reason).build());
    }

    private AuditEvent.Builder base(AuditEvent.Kind kind, Subject subject) {
        return AuditEvent.builder(kind)
                .eventId(UUID.randomUUID().toString())
                .time(clock.instant())
                .agentId(subject.agentId())
                .tenantId(subject.tenantId())
                .onBehalfOf(subject.onBehalfOf())
                .sessionId(subject.sessionId())
                .serverId(subject.serverId())
                .method(subject.method())
                .tool(subject.tool())
                .argumentFingerprint(subject.argumentFingerprint())
                .idempotencyKey(subject.idempotencyKey())
                .traceId(subject.traceId())
                .correlationId(subject.correlationId());
    }
}
