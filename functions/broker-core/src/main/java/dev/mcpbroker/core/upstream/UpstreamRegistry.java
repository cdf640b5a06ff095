package dev.mcpbroker.core.upstream;

import java.util.Optional;

/** Looks up registered upstream servers by the id agents use in the path. */
public interface UpstreamRegistry {

    Optional<UpstreamServer> find(String serverId);
}
