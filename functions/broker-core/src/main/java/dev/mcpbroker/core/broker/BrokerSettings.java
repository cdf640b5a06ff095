package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.session.SessionTimeouts;
import java.time.Duration;
import java.util.Optional;

/**
 * Limits the broker applies to every session and request.
 *
 * @param sessions        session lifetime, idle timeout and touch interval
 * @param maxBodyBytes    largest request body accepted from an agent
 * @param defaultAgentRate the rate limit of agents whose allowlist entry sets none; null for no limit
 * @param requireIdempotencyKey whether a state-changing {@code tools/call} without a key is refused
 * @param upstreamLearningTtl how long what the broker learned of an upstream (its generation, what it says of itself)
 *                            is trusted before it asks again
 * @param grantTtl        how long a grant change may take to apply: the longest a stateless agent may cache a list
 *                        the broker narrowed to its grants
 */
public record BrokerSettings(SessionTimeouts sessions, int maxBodyBytes, RateLimit defaultAgentRate,
                             boolean requireIdempotencyKey, Duration upstreamLearningTtl, Duration grantTtl) {

    /** Settings that keep what is learned of upstreams for five minutes and let grant changes take thirty seconds. */
    public BrokerSettings(SessionTimeouts sessions, int maxBodyBytes, RateLimit defaultAgentRate,
                          boolean requireIdempotencyKey) {
        this(sessions, maxBodyBytes, defaultAgentRate, requireIdempotencyKey, Duration.ofMinutes(5), Duration.ofSeconds(30));
    }

    public Optional<RateLimit> defaultAgentRateLimit() {
        return Optional.ofNullable(defaultAgentRate);
    }
}
