package dev.mcpbroker.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.conformance.era.GenerationDetector;
import dev.mcpbroker.conformance.era.Route;
import dev.mcpbroker.conformance.era.ServedGenerations;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationDetectorTest {

    private static final String LIVE = "live-session";
    private final GenerationDetector dual = new GenerationDetector(ServedGenerations.BOTH, LIVE::equals);

    @Test
    void aModernVersionHeaderOrModernMetaMeansStateless() {
        assertThat(dual.route("2026-07-28", null, request("tools/list", false))).isEqualTo(Route.MODERN);
        assertThat(dual.route(null, null, request("tools/list", true))).isEqualTo(Route.MODERN);
        // an unknown version is answered by the modern generation (-32022 names every supported revision)
        assertThat(dual.route("v999.0.0", null, request("server/discover", true))).isEqualTo(Route.MODERN);
        // a session id on a modern request is ignored, as 2026-07-28 says
        assertThat(dual.route("2026-07-28", LIVE, request("tools/list", true))).isEqualTo(Route.MODERN);
        // initialize with a modern header is a modern request for a method that no longer exists
        assertThat(dual.route("2026-07-28", null, request("initialize", true))).isEqualTo(Route.MODERN);
    }

    @Test
    void initializeAndSessionsMeanLegacy() {
        assertThat(dual.route(null, null, request("initialize", false))).isEqualTo(Route.LEGACY_INITIALIZE);
        assertThat(dual.route("2025-11-25", null, request("initialize", false))).isEqualTo(Route.LEGACY_INITIALIZE);
        assertThat(dual.route(null, null, request("initialize", true))).isEqualTo(Route.LEGACY_INITIALIZE);
        assertThat(dual.route("2025-11-25", LIVE, request("tools/list", false))).isEqualTo(Route.LEGACY_SESSION);
        assertThat(dual.route("2025-11-25", "ended", request("tools/list", false)))
                .isEqualTo(Route.LEGACY_UNKNOWN_SESSION);
        assertThat(dual.route("2025-11-25", null, request("tools/list", false))).isEqualTo(Route.LEGACY_MISSING_SESSION);
    }

    @Test
    void aSingleGenerationServerRoutesEverythingToIt() {
        GenerationDetector modernOnly = new GenerationDetector(ServedGenerations.MODERN_ONLY, LIVE::equals);
        GenerationDetector legacyOnly = new GenerationDetector(ServedGenerations.LEGACY_ONLY, LIVE::equals);
        assertThat(modernOnly.route(null, null, request("initialize", false))).isEqualTo(Route.MODERN);
        assertThat(legacyOnly.route("2026-07-28", null, request("server/discover", true)))
                .isEqualTo(Route.LEGACY_MISSING_SESSION);
        assertThat(legacyOnly.routeStream(null, null)).isEqualTo(Route.LEGACY_MISSING_SESSION);
        assertThat(dual.routeStream(null, null)).isEqualTo(Route.MODERN);
        assertThat(dual.routeStream("2025-11-25", LIVE)).isEqualTo(Route.LEGACY_SESSION);
    }

    private static JsonRpcMessage request(String method, boolean modernMeta) {
        JsonNode params = modernMeta
                ? Json.object("_meta", Json.object("io.modelcontextprotocol/protocolVersion", "2026-07-28",
                        "io.modelcontextprotocol/clientCapabilities", Json.object()))
                : Json.object("_meta", Json.object("progressToken", 1));
        return JsonRpcMessage.of(Json.object("jsonrpc", "2.0", "id", 1, "method", method, "params", params));
    }
}
