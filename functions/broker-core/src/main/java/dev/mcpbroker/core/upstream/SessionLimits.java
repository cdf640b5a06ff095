package dev.mcpbroker.core.upstream;

import java.util.OptionalInt;

/**
 * How many sessions the broker keeps with one upstream server, as its registry entry declares.
 *
 * @param maxSessions  cap on concurrent agent sessions; empty: the broker's default cap
 * @param warmSessions how many pre-initialised upstream sessions to keep ready, so an agent's initialize
 *                     does not wait for the upstream's cold start; 0 for none
 */
public record SessionLimits(OptionalInt maxSessions, int warmSessions) {

    public static final SessionLimits DEFAULT = new SessionLimits(OptionalInt.empty(), 0);

    public SessionLimits {
        if (maxSessions.isPresent() && maxSessions.getAsInt() < 1) {
            throw new IllegalArgumentException("a session cap must be positive");
        }
        if (warmSessions < 0) {
            throw new IllegalArgumentException("a warm pool cannot have a negative size");
        }
    }
}
