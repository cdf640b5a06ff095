package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The first stage of every request: the identity must be on the allowlist, the agent's and tenant's rate limits
 * must have room, the server the path names must be registered and granted to the agent (and not switched off).
 * Rate limits are taken before the server is looked at, so every refusal of an allowlisted agent counts against its
 * limit and a flood of refused requests is throttled like any other. Checked on every request, not only on
 * initialize, so a revoked grant or a kill switch also stops sessions already open.
 */
final class Admission {

    private final UpstreamRegistry upstreams;
    private final AccessPolicy policy;
    private final RateLimiter rateLimiter;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final Optional<RateLimit> defaultAgentRate;

    Admission(UpstreamRegistry upstreams, AccessPolicy policy, RateLimiter rateLimiter, BrokerMetrics metrics, Clock clock,
              Optional<RateLimit> defaultAgentRate) {
        this.upstreams = Objects.requireNonNull(upstreams);
        this.policy = Objects.requireNonNull(policy);
        this.rateLimiter = Objects.requireNonNull(rateLimiter);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
        this.defaultAgentRate = Objects.requireNonNull(defaultAgentRate);
    }

    /** Admits a message to its server, rate limits included. */
    Exchange admit(Exchange exchange) {
        return admit(exchange, registered(exchange.request().serverId()));
    }

    /** {@link #admit(Exchange)} of a message whose server was looked up already ({@link #registered}). */
    Exchange admit(Exchange exchange, Optional<UpstreamServer> registered) {
        AgentIdentity identity = exchange.identity();
        AgentGrant agent = policy.agent(identity);
        enforceRateLimits(identity, agent);
        Admitted admitted = admitWithoutRateLimits(identity, registered, exchange.trace());
        return exchange.admitted(admitted.server(), admitted.owner());
    }

    /** The upstream server registered under a path's server id, if any. */
    Optional<UpstreamServer> registered(String serverId) {
        return upstreams.find(serverId);
    }

    /**
     * Admits a message to a virtual server: the identity must be on the allowlist and its rate limits have room (once
     * per agent request, however many members it reaches). Each member is admitted on its own
     * ({@link #admitWithoutRateLimits}), so the grants that count are those of the underlying servers.
     */
    SessionOwner admitToVirtual(AgentIdentity identity, RequestTrace trace) {
        trace.caller(identity.agentId(), identity.tenantId());
        AgentGrant agent = policy.agent(identity);
        enforceRateLimits(identity, agent);
        return new SessionOwner(identity.agentId(), agent.tenantId(), identity.onBehalfOf());
    }

    /** The registered server and the owner its sessions must have. */
    record Admitted(UpstreamServer server, SessionOwner owner) {
    }

    /** Admits an identity to a server; rate limits are the caller's to apply (ending a session costs no budget). */
    Admitted admitWithoutRateLimits(AgentIdentity identity, String serverId, RequestTrace trace) {
        return admitWithoutRateLimits(identity, registered(serverId), trace);
    }

    /** {@link #admitWithoutRateLimits(AgentIdentity, String, RequestTrace)} of a server looked up already. */
    Admitted admitWithoutRateLimits(AgentIdentity identity, Optional<UpstreamServer> registered, RequestTrace trace) {
        trace.caller(identity.agentId(), identity.tenantId());
        UpstreamServer server = registered.orElseThrow(() ->
                new BrokerException(ErrorCode.UNKNOWN_SERVER, "no upstream server is registered under this name"));
        trace.server(server.id());
        SessionOwner owner = policy.admit(identity, server);
        trace.caller(owner.agentId(), owner.tenantId());
        return new Admitted(server, owner);
    }

    private void enforceRateLimits(AgentIdentity identity, AgentGrant agent) {
        Optional<RateLimit> agentLimit = agent.rate().or(() -> defaultAgentRate);
        if (agentLimit.isPresent()) {
            take("agent#" + identity.agentId(), agentLimit.get(), agent.tenantId(), "agent");
        }
        Optional<RateLimit> tenantLimit = policy.tenantRateLimit(agent.tenantId());
        if (tenantLimit.isPresent()) {
            take("tenant#" + agent.tenantId(), tenantLimit.get(), agent.tenantId(), "tenant");
        }
    }

    private void take(String key, RateLimit limit, String tenantId, String scope) {
        Optional<Duration> wait = rateLimiter.tryAcquire(key, limit, clock.instant());
        if (wait.isPresent()) {
            metrics.rateLimited(tenantId, scope);
            throw new BrokerException(ErrorCode.RATE_LIMITED, "the " + scope + " rate limit is exhausted")
                    .withRetryAfter(wait.get());
        }
    }
}
