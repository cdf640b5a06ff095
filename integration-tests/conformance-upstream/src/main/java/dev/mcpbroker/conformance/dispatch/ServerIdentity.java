package dev.mcpbroker.conformance.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.json.Json;

/** Who this server says it is and what it offers, per generation. */
public final class ServerIdentity {

    public static final String NAME = "mcp-broker-conformance-upstream";
    public static final String VERSION = "1.0.0";
    public static final String INSTRUCTIONS = "Fixture server for MCP conformance testing: serves the 2025-03-26.."
            + "2025-11-25 generation (initialize, sessions) and 2026-07-28 (stateless) on one endpoint.";

    private ServerIdentity() {
    }

    public static ObjectNode serverInfo() {
        return Json.object("name", NAME, "version", VERSION);
    }

    /** The same in both generations: 2026-07-28 delivers the list changes and updates on subscriptions/listen. */
    public static ObjectNode capabilities() {
        return Json.object(
                "tools", Json.object("listChanged", true),
                "prompts", Json.object("listChanged", true),
                "resources", Json.object("subscribe", true, "listChanged", false),
                "completions", Json.object(),
                "logging", Json.object());
    }
}
