package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a tool changes state: as the registry declares it, else unless its upstream annotates it read-only
 * ({@code readOnlyHint} is the upstream's own claim; an unannotated tool is treated as changing state). An instance
 * that does not know the server's whole tool list yet asks the upstream for it, once per catalog TTL, before
 * deciding (a read, safe to send).
 */
final class StateChangingTools {

    /** Bounds the broker's own tools/list reads for a server that pages without end. */
    private static final int MAX_TOOL_LIST_PAGES = 20;

    private final ToolCatalog catalog;
    private final ObjectMapper mapper;

    StateChangingTools(ToolCatalog catalog, ObjectMapper mapper) {
        this.catalog = Objects.requireNonNull(catalog);
        this.mapper = Objects.requireNonNull(mapper);
    }

    boolean isStateChanging(UpstreamServer server, UpstreamBinding session, String tool) {
        Optional<Boolean> declared = server.toolPolicy().declaredReadOnly(tool);
        if (declared.isPresent()) {
            return !declared.get(); // the operator's word outranks the upstream's annotation
        }
        Optional<Boolean> readOnly = catalog.isReadOnly(server.id(), tool);
        if (readOnly.isEmpty()) {
            learnTools(server, session);
            readOnly = catalog.isReadOnly(server.id(), tool);
        }
        return !readOnly.orElse(false);
    }

    private void learnTools(UpstreamServer server, UpstreamBinding session) {
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
            catalog.learn(server.id(), response.path(JsonRpc.RESULT));
            cursor = response.path(JsonRpc.RESULT).path("nextCursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                catalog.learnedCompleteList(server.id());
                return;
            }
        }
    }
}
