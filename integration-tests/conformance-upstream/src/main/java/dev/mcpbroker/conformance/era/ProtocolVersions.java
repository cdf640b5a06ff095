package dev.mcpbroker.conformance.era;

import java.util.ArrayList;
import java.util.List;

/** The MCP protocol revisions this server speaks, per generation. */
public final class ProtocolVersions {

    /** Revisions with the {@code initialize} handshake and sessions, newest first. */
    public static final List<String> LEGACY = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    /** Stateless revisions with per-request {@code _meta}, newest first. */
    public static final List<String> MODERN = List.of("2026-07-28");
    /** Assumed by a legacy request without {@code MCP-Protocol-Version} (2025-06-18 made the header required). */
    public static final String LEGACY_DEFAULT = "2025-03-26";

    private ProtocolVersions() {
    }

    public static boolean isLegacy(String version) {
        return LEGACY.contains(version);
    }

    public static boolean isModern(String version) {
        return MODERN.contains(version);
    }

    /** What {@code server/discover} and -32022 errors name: every revision of the generations served. */
    public static List<String> supported(ServedGenerations served) {
        List<String> versions = new ArrayList<>();
        if (served.modern()) {
            versions.addAll(MODERN);
        }
        if (served.legacy()) {
            versions.addAll(LEGACY);
        }
        return List.copyOf(versions);
    }

    /** The legacy revision answered to an {@code initialize} asking for {@code requested}. */
    public static String negotiateLegacy(String requested) {
        return isLegacy(requested) ? requested : LEGACY.get(0);
    }
}
