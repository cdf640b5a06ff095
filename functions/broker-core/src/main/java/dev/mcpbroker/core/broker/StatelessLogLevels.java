package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import java.util.List;

/**
 * Log messages for a stateless (2026-07-28) agent: it asks for them per request with
 * {@code _meta["io.modelcontextprotocol/logLevel"]} and gets none without it. A legacy upstream behind a held session
 * logs at whatever level its session has, so the broker drops what the request did not ask for.
 */
final class StatelessLogLevels {

    private static final String LOG_MESSAGE = "notifications/message";
    /** RFC 5424 severities as MCP names them, least severe first. */
    private static final List<String> LEVELS = List.of("debug", "info", "notice", "warning", "error", "critical", "alert",
            "emergency");

    private StatelessLogLevels() {
    }

    /** {@code events} without the log messages below the level {@code request} asked for (all of them if it asked none). */
    static List<ObjectNode> filter(List<ObjectNode> events, ObjectNode request) {
        if (events.isEmpty()) {
            return events;
        }
        JsonNode asked = request.path(JsonRpc.PARAMS).path(McpMeta.META).path(McpMeta.LOG_LEVEL);
        int threshold = asked.isTextual() ? LEVELS.indexOf(asked.asText()) : -1;
        return events.stream()
                .filter(event -> !LOG_MESSAGE.equals(event.path(JsonRpc.METHOD).asText())
                        || (threshold >= 0 && severity(event) >= threshold))
                .toList();
    }

    private static int severity(ObjectNode logMessage) {
        int level = LEVELS.indexOf(logMessage.path(JsonRpc.PARAMS).path("level").asText());
        // an unknown level is shown rather than lost once the agent asked for logs at all
        return level < 0 ? Integer.MAX_VALUE : level;
    }
}
