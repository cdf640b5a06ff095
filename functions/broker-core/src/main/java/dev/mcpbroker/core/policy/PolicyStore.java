package dev.mcpbroker.core.policy;

import java.util.Optional;

/**
 * The allowlist, read-only for the broker (an administrator changes it). Implementations throw
 * {@link dev.mcpbroker.core.error.StoreUnavailableException} when it cannot be read; the broker then
 * denies, never allows by default.
 */
public interface PolicyStore {

    Optional<AgentGrant> agent(String agentId);

    /** A tenant's own rate limit, shared by all its agents, if one is set. */
    Optional<RateLimit> tenantRateLimit(String tenantId);
}
