package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.RateLimiterContract;
import dev.mcpbroker.core.policy.RateLimiter;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryRateLimiterContractTest extends RateLimiterContract {

    @Override
    protected RateLimiter newLimiter() {
        return new InMemoryRateLimiter();
    }
}
