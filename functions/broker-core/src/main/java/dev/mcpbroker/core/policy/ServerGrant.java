package dev.mcpbroker.core.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an agent may do on one upstream server.
 *
 * @param serverId the server
 * @param tools    allowed tool names; an entry ending in {@code *} is a prefix. Null allows every tool.
 */
public record ServerGrant(String serverId, List<String> tools) {

    public ServerGrant {
        Objects.requireNonNull(serverId, "serverId");
        tools = tools == null ? null : List.copyOf(tools);
    }

    public Optional<List<String>> toolRules() {
        return Optional.ofNullable(tools);
    }

    public boolean allowsTool(String tool) {
        if (tools == null) {
            return true;
        }
        for (String rule : tools) {
            if (rule.endsWith("*") ? tool.startsWith(rule.substring(0, rule.length() - 1)) : tool.equals(rule)) {
                return true;
            }
        }
        return false;
    }
}
