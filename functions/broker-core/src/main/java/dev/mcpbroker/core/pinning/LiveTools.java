package dev.mcpbroker.core.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.policy.TtlCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The tool definitions upstreams serve now, as this instance learned them from {@code tools/list} answers passing
 * through (and the lists it read itself), each trusted for a bounded time. A tool is looked up by name only, never
 * stored by a name an agent chose, so agents cannot fill the cache.
 */
public final class LiveTools {

    /**
     * What this instance knows of one tool.
     *
     * @param known      whether it knows anything: false when it never saw the tool and does not know the server's
     *                   whole list
     * @param definition the live definition; null when known and the server's whole list does not have the tool
     */
    public record Lookup(boolean known, ToolDefinition definition) {

        static final Lookup UNKNOWN = new Lookup(false, null);
        static final Lookup NOT_LISTED = new Lookup(true, null);

        public Optional<ToolDefinition> live() {
            return Optional.ofNullable(definition);
        }
    }

    private final TtlCache<String, ToolDefinition> tools;
    private final TtlCache<String, Boolean> completeLists;

    public LiveTools(Duration ttl, Clock clock) {
        this.tools = new TtlCache<>(ttl, clock);
        this.completeLists = new TtlCache<>(ttl, clock);
    }

    /** Records the definitions of a {@code tools/list} result (one page of it). */
    public void learn(String serverId, JsonNode toolsListResult) {
        for (JsonNode tool : toolsListResult.path("tools")) {
            ToolDefinition definition = ToolDefinition.of(tool);
            if (!definition.name().isEmpty()) {
                tools.put(key(serverId, definition.name()), definition);
            }
        }
    }

    /** Marks what was learned as the server's whole list: a tool missing from it is then known not to be listed. */
    public void learnedCompleteList(String serverId) {
        completeLists.put(serverId, Boolean.TRUE);
    }

    public Lookup lookup(String serverId, String tool) {
        Optional<ToolDefinition> definition = tools.peek(key(serverId, tool));
        if (definition.isPresent()) {
            return new Lookup(true, definition.get());
        }
        return completeLists.peek(serverId).isPresent() ? Lookup.NOT_LISTED : Lookup.UNKNOWN;
    }

    private static String key(String serverId, String tool) {
        return serverId + '\u0000' + tool;
    }
}
