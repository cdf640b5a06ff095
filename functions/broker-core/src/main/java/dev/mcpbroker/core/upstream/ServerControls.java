package dev.mcpbroker.core.upstream;

import java.util.Set;

/**
 * Kill switches of one upstream server, for every agent at once.
 *
 * @param killed      the whole server is off: no new sessions, no calls
 * @param killedTools tools that are off
 */
public record ServerControls(boolean killed, Set<String> killedTools) {

    public static final ServerControls NONE = new ServerControls(false, Set.of());

    public ServerControls {
        killedTools = Set.copyOf(killedTools);
    }
}
