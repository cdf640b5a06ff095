package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.session.WarmSessionPool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link WarmSessionPool} in memory: each entry is handed to exactly one taker, oldest first. */
public final class InMemoryWarmSessionPool extends Availability implements WarmSessionPool {

    private final Map<String, List<WarmSession>> pools = new HashMap<>();

    @Override
    public synchronized void add(WarmSession session) {
        answer("add");
        pools.computeIfAbsent(session.serverId(), id -> new ArrayList<>()).add(session);
    }

    @Override
    public synchronized Optional<WarmSession> take(String serverId, String requestedVersion, Instant now) {
        answer("take");
        Optional<WarmSession> taken = list(serverId).stream()
                .filter(entry -> entry.isFreshAt(now) && entry.requestedVersion().equals(requestedVersion))
                .findFirst();
        taken.ifPresent(entry -> pools.get(serverId).remove(entry));
        return taken;
    }

    @Override
    public synchronized List<WarmSession> list(String serverId) {
        answer("list");
        return pools.getOrDefault(serverId, List.of()).stream()
                .sorted(Comparator.comparing(WarmSession::createdAt)).toList();
    }

    @Override
    public synchronized boolean remove(WarmSession session) {
        answer("remove");
        return pools.getOrDefault(session.serverId(), new ArrayList<>()).remove(session);
    }
}
