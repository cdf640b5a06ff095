package dev.mcpbroker.core.capacity;

import java.util.Objects;

/**
 * A fixed number of slots, each held by at most one holder at a time. A cap of N concurrent things is a
 * pool of N slots: taking a slot is a conditional write, so the cap holds exactly however many broker
 * instances race for it.
 *
 * @param name unique name, e.g. {@code sessions#payments}
 * @param size number of slots
 */
public record LeasePool(String name, int size) {

    public LeasePool {
        Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("a pool cannot have a negative size");
        }
    }

    /** The slots that bound the live sessions of one upstream server. */
    public static LeasePool sessionsOf(String serverId, int size) {
        return new LeasePool("sessions#" + serverId, size);
    }

    /** One tenant's share of a server's sessions. */
    public static LeasePool tenantShareOf(String serverId, String tenantId, int size) {
        return new LeasePool("share#" + serverId + "#tenant#" + tenantId.length() + ":" + tenantId, size);
    }

    /** One agent's share of a server's sessions. */
    public static LeasePool agentShareOf(String serverId, String agentId, int size) {
        return new LeasePool("share#" + serverId + "#agent#" + agentId.length() + ":" + agentId, size);
    }

    /** The places in the queue of initializes waiting for one of the server's session slots. */
    public static LeasePool queueOf(String serverId, int size) {
        return new LeasePool("queue#" + serverId, size);
    }
}
