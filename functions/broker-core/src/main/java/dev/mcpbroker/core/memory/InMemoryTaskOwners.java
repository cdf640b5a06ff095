package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.TaskOwners;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link TaskOwners} in memory: the first owner recorded for a task keeps it. */
public final class InMemoryTaskOwners extends Availability implements TaskOwners {

    private final Map<String, SessionOwner> owners = new HashMap<>();

    @Override
    public synchronized void recordOwner(String serverId, String taskId, SessionOwner owner, Instant forgetAfter) {
        answer("record");
        owners.putIfAbsent(key(serverId, taskId), new SessionOwner(owner.agentId(), owner.tenantId(), null));
    }

    @Override
    public synchronized Optional<SessionOwner> ownerOf(String serverId, String taskId) {
        answer("owner");
        return Optional.ofNullable(owners.get(key(serverId, taskId)));
    }

    private static String key(String serverId, String taskId) {
        return serverId.length() + ":" + serverId + "#" + taskId;
    }
}
