package dev.mcpbroker.core.telemetry;

import dev.mcpbroker.core.mcp.McpMethods;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * What an agent chose (a method or tool name) as a metric dimension: every distinct value is a time series
 * that CloudWatch bills and a metrics backend keeps, and a wildcard grant lets an agent call any tool name it
 * makes up. Methods the specification does not name, tool names that are not tool names, and tool names
 * beyond the first {@code toolsPerServer} an instance has seen for a server all report as {@link #OTHER}.
 * Traces and logs keep the name itself (capped in length): there a value costs nothing once.
 */
public final class MetricDimensions {

    /** The dimension value that stands for any name not reported on its own. */
    public static final String OTHER = "_other";

    /** The tool names MCP specifies (2025-11-25): 1 to 128 of ASCII letters, digits, '_', '-' and '.'. */
    private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private final int toolsPerServer;
    private final ConcurrentMap<String, Set<String>> admitted = new ConcurrentHashMap<>();

    public MetricDimensions(int toolsPerServer) {
        if (toolsPerServer < 0) {
            throw new IllegalArgumentException("toolsPerServer must not be negative");
        }
        this.toolsPerServer = toolsPerServer;
    }

    /** The method as a dimension value; {@code null} stays {@code null}. */
    public String method(String method) {
        return method == null || McpMethods.isSpecified(method) ? method : OTHER;
    }

    /** The tool as a dimension value of {@code serverId}'s series; {@code null} stays {@code null}. */
    public String tool(String serverId, String tool) {
        if (tool == null) {
            return null;
        }
        if (!TOOL_NAME.matcher(tool).matches()) {
            return OTHER;
        }
        Set<String> names = admitted.computeIfAbsent(serverId, id -> ConcurrentHashMap.newKeySet());
        if (names.contains(tool)) {
            return tool;
        }
        synchronized (names) {
            if (names.size() < toolsPerServer) {
                names.add(tool);
                return tool;
            }
            return names.contains(tool) ? tool : OTHER;
        }
    }
}
