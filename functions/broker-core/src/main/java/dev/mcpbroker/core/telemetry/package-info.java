/**
 * What the broker tells its tracing, as ports the domain calls with semantic events (the method, the tool,
 * the caller, the session, the idempotency decision, each exchange with an upstream). The function
 * implements them with OpenTelemetry; {@code NONE} implementations keep the domain runnable without it.
 *
 * <p>Nothing that crosses these ports is a payload, an argument, a token, a secret or a raw session id:
 * identifiers, stable reason codes and hashes only.
 */
package dev.mcpbroker.core.telemetry;
