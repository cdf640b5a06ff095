package dev.mcpbroker.core.telemetry;

import java.time.Duration;

/**
 * What the broker reports about its own work. Implementations must not block the request path and must
 * never receive payloads or secrets: dimensions are identifiers and stable reason codes only.
 */
public interface BrokerMetrics {

    /** A request was refused by a rate limit; {@code scope} is {@code agent} or {@code tenant}. */
    default void rateLimited(String tenantId, String scope) {
    }

    /**
     * One tools/call answered.
     *
     * @param outcome {@code ok}, {@code tool_error}, or the failure class of a failed call
     */
    default void toolCall(String serverId, String tool, String outcome, Duration latency) {
    }

    /** A session was opened; {@code warm} when it took a pre-initialised upstream session, {@code queued} how long it waited for a slot. */
    default void sessionOpened(String serverId, boolean warm, Duration queued) {
    }

    /** An initialize found no free slot in time. */
    default void sessionCapacityExhausted(String serverId) {
    }

    /** The number of sessions the agent task that opened a session has opened so far, this one included. */
    default void sessionsPerTask(String serverId, long sessions) {
    }

    /**
     * A tool whose live definition is not approved was seen on a server under pinning ({@code warn} or
     * {@code enforce}): in a {@code tools/list} answer, or named by a {@code tools/call}.
     *
     * @param reason {@code tool_definition_changed} or {@code tool_not_approved}
     */
    default void toolDefinitionDrift(String serverId, String reason) {
    }

    /** A session was ended by its agent. */
    default void sessionEnded(String serverId) {
    }

    /** The upstream lost a session and the broker re-opened it; {@code retried} when the request was sent again. */
    default void upstreamSessionReopened(String serverId, boolean retried) {
    }

    /**
     * A request was refused before any upstream contact: by the policy layer (every refusal the audit trail
     * records as denied) or at the edge (authentication, origin or host).
     *
     * @param reason the stable reason, e.g. {@code tool_not_allowed}, {@code rate_limited}, {@code token_expired}
     */
    /** A member of a virtual server left out of a merged list because it failed (reason: the failure's). */
    default void virtualMemberOmitted(String virtualServer, String serverId, String reason) {
    }

    default void requestDenied(String reason) {
    }

    /**
     * How a state-changing tools/call with an idempotency key was decided.
     *
     * @param decision {@code execute}, {@code replay}, {@code conflict}, {@code in_progress} or {@code unknown}
     */
    default void idempotencyDecision(String serverId, String decision) {
    }

    /** A keyed call went upstream and no answer came back: its outcome is UNKNOWN and stays so until a human looks. */
    default void idempotencyOutcomeUnknown(String serverId) {
    }

    /**
     * A keyed call's record could not be moved on after the upstream was (or was not) called: its outcome was not
     * stored for replay, not declared unknown, or its key not given back. The agent still got its answer; the
     * record becomes unknown when its lease runs out.
     *
     * @param transition {@code completed_superseded}, {@code completed_not_recorded}, {@code ambiguous} or
     *                   {@code not_executed}
     */
    default void idempotencyRecordNotUpdated(String serverId, String transition) {
    }

    /**
     * The audit forwarder put a batch's events on the audit stream.
     *
     * @param oldestEventAge how long the oldest of them waited since it was recorded: the delivery lag
     */
    default void auditEventsForwarded(long events, Duration oldestEventAge) {
    }

    /** Audit events the stream did not take: they are offered again, in order, and wait in the outbox meanwhile. */
    default void auditDeliveryFailed(long events) {
    }

    /** Live sessions of a server against its cap, observed by the maintenance function. */
    default void liveSessions(String serverId, int live, int cap) {
    }

    /** Ready sessions in a server's warm pool, observed by the maintenance function. */
    default void warmSessions(String serverId, int ready) {
    }

    /** Reports every event to each of {@code sinks}, in order. */
    static BrokerMetrics all(java.util.List<BrokerMetrics> sinks) {
        java.util.List<BrokerMetrics> copy = java.util.List.copyOf(sinks);
        return new BrokerMetrics() {
            @Override
            public void rateLimited(String tenantId, String scope) {
                copy.forEach(m -> m.rateLimited(tenantId, scope));
            }

            @Override
            public void toolCall(String serverId, String tool, String outcome, Duration latency) {
                copy.forEach(m -> m.toolCall(serverId, tool, outcome, latency));
            }

            @Override
            public void sessionOpened(String serverId, boolean warm, Duration queued) {
                copy.forEach(m -> m.sessionOpened(serverId, warm, queued));
            }

            @Override
            public void sessionCapacityExhausted(String serverId) {
                copy.forEach(m -> m.sessionCapacityExhausted(serverId));
            }

            @Override
            public void sessionsPerTask(String serverId, long sessions) {
                copy.forEach(m -> m.sessionsPerTask(serverId, sessions));
            }

            @Override
            public void toolDefinitionDrift(String serverId, String reason) {
                copy.forEach(m -> m.toolDefinitionDrift(serverId, reason));
            }

            @Override
            public void sessionEnded(String serverId) {
                copy.forEach(m -> m.sessionEnded(serverId));
            }

            @Override
            public void upstreamSessionReopened(String serverId, boolean retried) {
                copy.forEach(m -> m.upstreamSessionReopened(serverId, retried));
            }

            @Override
            public void virtualMemberOmitted(String virtualServer, String serverId, String reason) {
                copy.forEach(m -> m.virtualMemberOmitted(virtualServer, serverId, reason));
            }

            @Override
            public void requestDenied(String reason) {
                copy.forEach(m -> m.requestDenied(reason));
            }

            @Override
            public void idempotencyDecision(String serverId, String decision) {
                copy.forEach(m -> m.idempotencyDecision(serverId, decision));
            }

            @Override
            public void idempotencyOutcomeUnknown(String serverId) {
                copy.forEach(m -> m.idempotencyOutcomeUnknown(serverId));
            }

            @Override
            public void idempotencyRecordNotUpdated(String serverId, String transition) {
                copy.forEach(m -> m.idempotencyRecordNotUpdated(serverId, transition));
            }

            @Override
            public void auditEventsForwarded(long events, Duration oldestEventAge) {
                copy.forEach(m -> m.auditEventsForwarded(events, oldestEventAge));
            }

            @Override
            public void auditDeliveryFailed(long events) {
                copy.forEach(m -> m.auditDeliveryFailed(events));
            }

            @Override
            public void liveSessions(String serverId, int live, int cap) {
                copy.forEach(m -> m.liveSessions(serverId, live, cap));
            }

            @Override
            public void warmSessions(String serverId, int ready) {
                copy.forEach(m -> m.warmSessions(serverId, ready));
            }
        };
    }

    /** For tests and tools that need no metrics. */
    BrokerMetrics NONE = new BrokerMetrics() {
    };
}
