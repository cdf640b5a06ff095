package dev.mcpbroker.core.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.policy.TtlCache;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which tools of a server only read. A tool is state-changing unless its upstream annotates it
 * {@code readOnlyHint: true}: the hint is the upstream's own claim, and treating an unannotated tool as
 * read-only would let a retry repeat a side effect. Learned from the {@code tools/list} answers that pass
 * through this instance and kept for a bounded time.
 */
public final class ToolCatalog {

    /** What is known of one server: its tools' read-only hints, and whether that is its whole list. */
    private record Known(Map<String, Boolean> readOnly, boolean complete) {
    }

    private final TtlCache<String, Known> byServer;

    public ToolCatalog(Duration ttl, Clock clock) {
        this.byServer = new TtlCache<>(ttl, clock);
    }

    /** Records the annotations of a {@code tools/list} result (one page of it). */
    public void learn(String serverId, JsonNode toolsListResult) {
        Map<String, Boolean> page = new HashMap<>();
        for (JsonNode tool : toolsListResult.path("tools")) {
            String name = tool.path("name").asText("");
            if (!name.isEmpty()) {
                page.put(name, tool.path("annotations").path("readOnlyHint").asBoolean(false));
            }
        }
        Known known = known(serverId);
        Map<String, Boolean> merged = new HashMap<>(known.readOnly());
        merged.putAll(page);
        byServer.put(serverId, new Known(Map.copyOf(merged), known.complete()));
    }

    /**
     * Marks what was learned as the server's whole list: a tool missing from it is then state-changing
     * without asking the upstream again on every call.
     */
    public void learnedCompleteList(String serverId) {
        Known known = known(serverId);
        byServer.put(serverId, new Known(known.readOnly(), true));
    }

    /** Whether the tool is read-only; empty when this instance does not know the server's whole list yet. */
    public Optional<Boolean> isReadOnly(String serverId, String tool) {
        Known known = known(serverId);
        Boolean readOnly = known.readOnly().get(tool);
        if (readOnly != null) {
            return Optional.of(readOnly);
        }
        return known.complete() ? Optional.of(false) : Optional.empty();
    }

    private Known known(String serverId) {
        return byServer.get(serverId, id -> new Known(Map.of(), false));
    }
}
