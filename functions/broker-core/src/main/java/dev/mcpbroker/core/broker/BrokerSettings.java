package dev.mcpbroker.core.broker;

import java.time.Duration;

/**
 * Limits the broker applies to every session and request.
 *
 * @param sessionLifetime absolute lifetime of a session from initialize
 * @param maxBodyBytes    largest request body accepted from an agent
 */
public record BrokerSettings(Duration sessionLifetime, int maxBodyBytes) {
}
