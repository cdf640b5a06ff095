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

    private final TtlCache<String, Map<String, Boolean>> readOnlyByServer;

    public ToolCatalog(Duration ttl, Clock clock) {
        this.readOnlyByServer = new TtlCache<>(ttl, clock);
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
        Map<String, Boolean> known = new HashMap<>(readOnlyByServer.get(serverId, id -> Map.of()));
        known.putAll(page);
        readOnlyByServer.put(serverId, Map.copyOf(known));
    }

    /** Whether the tool is known to be read-only; empty when this instance has not seen it listed. */
    public Optional<Boolean> isReadOnly(String serverId, String tool) {
        return Optional.ofNullable(readOnlyByServer.get(serverId, id -> Map.of()).get(tool));
    }
}
