package dev.mcpbroker.core.mcp;

import java.util.List;

/**
 * The MCP protocol revisions the broker speaks: with sessions (2025-03-26 to 2025-11-25, {@link #SUPPORTED}) and
 * stateless (2026-07-28, {@link #MODERN}).
 */
public final class ProtocolVersions {

    public static final String V2025_03_26 = "2025-03-26";
    public static final String V2025_06_18 = "2025-06-18";
    public static final String V2025_11_25 = "2025-11-25";
    public static final String V2026_07_28 = "2026-07-28";

    /** The stateless revisions, newest first. */
    public static final List<String> MODERN = List.of(V2026_07_28);

    /** Newest first. */
    public static final List<String> SUPPORTED = List.of(V2025_11_25, V2025_06_18, V2025_03_26);

    /** What a server must assume when a request after initialize carries no version header. */
    public static final String ASSUMED_WHEN_ABSENT = V2025_03_26;

    private ProtocolVersions() {
    }

    /** A revision the broker speaks with sessions. */
    public static boolean isSupported(String version) {
        return version != null && SUPPORTED.contains(version);
    }

    /** A stateless revision the broker speaks. */
    public static boolean isModern(String version) {
        return version != null && MODERN.contains(version);
    }
}
