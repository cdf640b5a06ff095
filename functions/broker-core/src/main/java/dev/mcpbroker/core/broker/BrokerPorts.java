package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.idempotency.UpstreamKeys;
import dev.mcpbroker.core.pinning.PinnedTools;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimiter;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.TaskOwners;
import dev.mcpbroker.core.session.TaskSessionCounter;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.util.Objects;

/**
 * The collaborators of the request path: state behind ports (sessions, capacity, idempotency records, the audit
 * outbox, grants, rate buckets, approved tool definitions, virtual servers), the upstream exchange, and the metrics sink.
 * One composition root fills it with DynamoDB adapters in the function, another with in-memory adapters in tests.
 */
public record BrokerPorts(SessionStore sessions, UpstreamRegistry upstreams, UpstreamExchange upstream, AccessPolicy policy,
                          RateLimiter rateLimiter, BrokerMetrics metrics, IdempotencyGuard idempotency, ToolCatalog tools,
                          AuditTrail audit, SessionCapacity capacity, WarmSessions warmSessions, TaskSessionCounter tasks,
                          TaskOwners taskOwners, UpstreamKeys upstreamKeys, PinnedTools pins,
                          VirtualServerRegistry virtualServers) {

    public BrokerPorts {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(rateLimiter, "rateLimiter");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(idempotency, "idempotency");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(capacity, "capacity");
        Objects.requireNonNull(warmSessions, "warmSessions");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(taskOwners, "taskOwners");
        Objects.requireNonNull(upstreamKeys, "upstreamKeys");
        Objects.requireNonNull(pins, "pins");
        Objects.requireNonNull(virtualServers, "virtualServers");
    }
}
