package dev.mcpbroker.core.audit;

import java.time.Instant;

/** Test events. */
final class AuditEvents {

    static final String FINGERPRINT = "297061d9ca57a166c1a9e37fad495eac8793cd7974d1cd5f1768096148afbb2b";

    private AuditEvents() {
    }

    static AuditEvent intent(String session, String eventId, Instant time) {
        return intent(session, eventId, time, "req-1");
    }

    static AuditEvent intent(String session, String eventId, Instant time, String correlationId) {
        return AuditEvent.builder(AuditEvent.Kind.INTENT).eventId(eventId).time(time).agentId("agent-1").tenantId("t1")
                .onBehalfOf("user@example.com").sessionId(session).serverId("payments").method("tools/call")
                .tool("transfer").argumentFingerprint(FINGERPRINT).idempotencyKey("idem-1").traceId("1-abc-def")
                .correlationId(correlationId).build();
    }

    static AuditEvent outcome(String session, String eventId, Instant time) {
        return outcome(session, eventId, time, "req-1");
    }

    static AuditEvent outcome(String session, String eventId, Instant time, String correlationId) {
        return AuditEvent.builder(AuditEvent.Kind.OUTCOME).eventId(eventId).time(time).agentId("agent-1").tenantId("t1")
                .sessionId(session).serverId("payments").method("tools/call").tool("transfer")
                .argumentFingerprint(FINGERPRINT).outcomeClass(AuditEvent.OutcomeClass.AMBIGUOUS)
                .reason("upstream_outcome_unknown").upstreamLatencyMillis(25_000L).correlationId(correlationId).build();
    }

    static AuditEvent denied(String session, String eventId, Instant time) {
        return AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(eventId).time(time).agentId("agent-1").tenantId("t1")
                .sessionId(session).serverId("payments").method("tools/call").tool("delete_ledger")
                .decision(AuditEvent.Decision.DENIED).reason("tool_not_allowed").build();
    }

    static AuditEvent allowed(String session, String eventId, Instant time) {
        return AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(eventId).time(time).agentId("agent-1").tenantId("t1")
                .sessionId(session).serverId("payments").method("tools/list")
                .decision(AuditEvent.Decision.ALLOWED).reason("listed").correlationId(eventId).build();
    }
}
