package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.session.SessionTimeouts;
import java.util.Optional;

/**
 * Limits the broker applies to every session and request.
 *
 * @param sessions        session lifetime, idle timeout and touch interval
 * @param maxBodyBytes    largest request body accepted from an agent
 * @param defaultAgentRate the rate limit of agents whose allowlist entry sets none; null for no limit
 * @param requireIdempotencyKey whether a state-changing {@code tools/call} without a key is refused
 */
public record BrokerSettings(SessionTimeouts sessions, int maxBodyBytes, RateLimit defaultAgentRate,
                             boolean requireIdempotencyKey) {

    public Optional<RateLimit> defaultAgentRateLimit() {
        return Optional.ofNullable(defaultAgentRate);
    }
}
