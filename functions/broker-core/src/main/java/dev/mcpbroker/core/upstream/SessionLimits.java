package dev.mcpbroker.core.upstream;

import java.util.OptionalInt;

/**
 * How many sessions the broker keeps with one upstream server, as its registry entry declares.
 *
 * @param maxSessions          cap on concurrent agent sessions; empty: the broker's default cap
 * @param warmSessions         how many pre-initialised upstream sessions to keep ready, so an agent's initialize
 *                             does not wait for the upstream's cold start; 0 for none
 * @param maxSessionsPerTenant a tenant's share of the cap: sessions all of one tenant's agents may hold at once, so
 *                             one tenant cannot hold every session of the upstream; empty: no share
 * @param maxSessionsPerAgent  one agent's share of the cap; empty: no share
 */
public record SessionLimits(OptionalInt maxSessions, int warmSessions, OptionalInt maxSessionsPerTenant,
                            OptionalInt maxSessionsPerAgent) {

    public static final SessionLimits DEFAULT = new SessionLimits(OptionalInt.empty(), 0);

    public SessionLimits {
        for (OptionalInt limit : new OptionalInt[] {maxSessions, maxSessionsPerTenant, maxSessionsPerAgent}) {
            if (limit.isPresent() && limit.getAsInt() < 1) {
                throw new IllegalArgumentException("a session cap or share must be positive");
            }
        }
        if (warmSessions < 0) {
            throw new IllegalArgumentException("a warm pool cannot have a negative size");
        }
    }

    /** Limits without per-tenant or per-agent shares. */
    public SessionLimits(OptionalInt maxSessions, int warmSessions) {
        this(maxSessions, warmSessions, OptionalInt.empty(), OptionalInt.empty());
    }

    public SessionLimits withShares(OptionalInt perTenant, OptionalInt perAgent) {
        return new SessionLimits(maxSessions, warmSessions, perTenant, perAgent);
    }
}
