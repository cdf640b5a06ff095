package dev.mcpbroker.core.session;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where pre-initialised upstream sessions wait. Taking one is a conditional delete, so each is handed to
 * exactly one agent session however many instances race for it. Implementations throw
 * {@link StoreUnavailableException} when the store cannot be asked.
 */
public interface WarmSessionPool {

    void add(WarmSession session);

    /** Takes a fresh session opened for {@code requestedVersion}, oldest first; empty when there is none. */
    Optional<WarmSession> take(String serverId, String requestedVersion, Instant now);

    /** The server's pool, stale entries included. */
    List<WarmSession> list(String serverId);

    /** Removes an entry; false when someone took it first. */
    boolean remove(WarmSession session);
}
