package dev.mcpbroker.core.broker;

/**
 * Counters the broker emits about its own decisions. Implementations must not block the request path
 * and must never receive payloads or secrets: dimensions are identifiers and stable reason codes only.
 */
public interface BrokerMetrics {

    /** A request was refused by a rate limit; {@code scope} is {@code agent} or {@code tenant}. */
    void rateLimited(String tenantId, String scope);

    /** For tests and tools that need no metrics. */
    BrokerMetrics NONE = (tenantId, scope) -> { };
}
