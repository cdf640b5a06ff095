package dev.mcpbroker.core.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;

/** What the broker reads out of MCP messages' params, read in one way everywhere. */
public final class McpMessages {

    private McpMessages() {
    }

    /**
     * The tool a {@code tools/call} names ({@code params.name}); null for any other message, and for a
     * {@code tools/call} whose name is missing or not a string.
     */
    public static String toolName(JsonRpcMessage message) {
        if (!(message instanceof JsonRpcMessage.Request request) || !McpMethods.TOOLS_CALL.equals(request.method())) {
            return null;
        }
        JsonNode name = request.params().get("name");
        return name != null && name.isTextual() ? name.asText() : null;
    }
}
