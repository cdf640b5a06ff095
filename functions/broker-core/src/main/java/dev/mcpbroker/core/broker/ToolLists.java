package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.pinning.LiveTools;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Map;
import java.util.Objects;

/**
 * What the broker learns from tool lists: the read-only hints ({@link ToolCatalog}) and the live definitions
 * ({@link LiveTools}), from answers passing through to agents and from the whole list the broker reads itself when it
 * must decide about a tool it does not know (a read, safe to send; once per cache period per instance).
 */
final class ToolLists {

    /** Bounds the broker's own tools/list reads for a server that pages without end. */
    private static final int MAX_TOOL_LIST_PAGES = 20;

    private final ToolCatalog catalog;
    private final LiveTools live;
    private final ObjectMapper mapper;

    ToolLists(ToolCatalog catalog, LiveTools live, ObjectMapper mapper) {
        this.catalog = Objects.requireNonNull(catalog);
        this.live = Objects.requireNonNull(live);
        this.mapper = Objects.requireNonNull(mapper);
    }

    /** Learns from one page of a {@code tools/list} result an agent asked for. */
    void learnPage(String serverId, JsonNode toolsListResult) {
        catalog.learn(serverId, toolsListResult);
        live.learn(serverId, toolsListResult);
    }

    /** Reads the server's whole tool list through the request's binding and learns it. */
    void readAll(UpstreamServer server, UpstreamBinding session) {
        String cursor = null;
        for (int page = 0; page < MAX_TOOL_LIST_PAGES; page++) {
            ObjectNode list = mapper.createObjectNode()
                    .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                    .put(JsonRpc.ID, "broker-tools-" + page)
                    .put(JsonRpc.METHOD, McpMethods.TOOLS_LIST);
            if (cursor != null) {
                list.putObject(JsonRpc.PARAMS).put("cursor", cursor);
            }
            ObjectNode response = session.request(list, Map.of(), true);
            learnPage(server.id(), response.path(JsonRpc.RESULT));
            cursor = response.path(JsonRpc.RESULT).path("nextCursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                catalog.learnedCompleteList(server.id());
                live.learnedCompleteList(server.id());
                return;
            }
        }
    }
}
