package dev.mcpbroker.conformance.dispatch;

import java.util.List;

/** The syslog severities of MCP logging, least severe first. */
public final class LogLevels {

    public static final List<String> ORDER = List.of("debug", "info", "notice", "warning", "error", "critical",
            "alert", "emergency");

    private LogLevels() {
    }

    public static boolean isValid(String level) {
        return ORDER.contains(level);
    }

    /** True when a message at {@code level} passes a threshold of {@code threshold}. */
    public static boolean passes(String level, String threshold) {
        return ORDER.indexOf(level) >= ORDER.indexOf(threshold);
    }
}
