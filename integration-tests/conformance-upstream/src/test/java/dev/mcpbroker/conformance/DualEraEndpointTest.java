package dev.mcpbroker.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.conformance.era.ServedGenerations;
import dev.mcpbroker.conformance.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixture server in this JVM: both generations on one endpoint, and the single-generation modes. */
class DualEraEndpointTest {

    private static HttpServer dual;
    private static HttpServer legacyOnly;
    private static HttpServer modernOnly;

    @BeforeAll
    static void start() throws IOException {
        dual = ConformanceUpstreamMain.start(0, ServedGenerations.BOTH, Set.of(), Map.of());
        legacyOnly = ConformanceUpstreamMain.start(0, ServedGenerations.LEGACY_ONLY, Set.of(), Map.of());
        modernOnly = ConformanceUpstreamMain.start(0, ServedGenerations.MODERN_ONLY, Set.of(), Map.of());
    }

    @AfterAll
    static void stop() {
        for (HttpServer server : new HttpServer[] {dual, legacyOnly, modernOnly}) {
            if (server != null) {
                server.stop(0);
            }
        }
    }

    @Test
    void aLegacySessionLivesUntilDeleteAndThenAnswers404() {
        Wire wire = wire(dual);
        Wire.Answer init = wire.post(initialize(), Map.of());
        String session = init.header("Mcp-Session-Id");
        assertThat(init.status()).isEqualTo(200);
        assertThat(init.body().path("result").path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(session).matches("[\\x21-\\x7E]{43}");
        Map<String, String> inSession = Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25");
        Wire.Answer tools = wire.post(Wire.request(2, "tools/list", Json.object()), inSession);
        assertThat(tools.body().path("result").path("tools").get(0).path("name").asText()).isEqualTo("test_simple_text");
        assertThat(tools.body().path("result").has("resultType")).as("no 2026 fields in a legacy session").isFalse();
        assertThat(wire.send("DELETE", inSession).status()).isEqualTo(200);
        assertThat(wire.post(Wire.request(3, "tools/list", Json.object()), inSession).status()).isEqualTo(404);
        assertThat(wire.post(Wire.request(4, "tools/list", Json.object()), Map.of()).status()).isEqualTo(400);
    }

    @Test
    void aModernRequestIsServedStatelesslyWithResultTypeCacheHintsAndServerInfo() {
        Wire wire = wire(dual);
        Wire.Answer discover = wire.modern(1, "server/discover", Json.object(), Map.of("Mcp-Session-Id", "ignored"));
        JsonNode result = discover.body().path("result");
        assertThat(discover.status()).isEqualTo(200);
        assertThat(discover.header("Mcp-Session-Id")).isNull();
        assertThat(result.path("resultType").asText()).isEqualTo("complete");
        assertThat(result.path("supportedVersions")).extracting(JsonNode::asText)
                .containsExactly("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26");
        assertThat(result.path("cacheScope").asText()).isEqualTo("public");
        assertThat(result.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asText()).isNotBlank();
        assertThat(wire.send("GET", Map.of()).status()).isEqualTo(405);
        assertThat(wire.send("DELETE", Map.of("MCP-Protocol-Version", "2026-07-28")).status()).isEqualTo(405);
    }

    @Test
    void headersMustMatchTheBody() {
        Wire wire = wire(dual);
        ObjectNode call = Json.object("name", "test_simple_text", "arguments", Json.object());
        assertError(wire.modern(1, "tools/call", call, Map.of("Mcp-Name", "other")), 400, -32020);
        assertError(wire.modern(2, "tools/list", Json.object(), Map.of("Mcp-Method", "TOOLS/LIST")), 400, -32020);
        assertThat(wire.modern(3, "tools/call", call, Map.of("Mcp-Name", "=?base64?dGVzdF9zaW1wbGVfdGV4dA==?="))
                .body().path("result").path("content").get(0).path("text").asText()).startsWith("This is a simple");
        ObjectNode region = Json.object("name", "test_custom_header", "arguments", Json.object("region", "Hello"));
        assertThat(wire.modern(4, "tools/call", region, Map.of("Mcp-Param-Region", "=?base64?SGVsbG8=?=")).status())
                .isEqualTo(200);
        assertError(wire.modern(5, "tools/call", region, Map.of("Mcp-Param-Region", "=?base64?SGVsbG8?=")), 400, -32020);
        assertError(wire.modern(6, "tools/call", region, Map.of()), 400, -32020);
        Wire.Answer unsupported = wire.modern(7, "tools/list", Json.object(), Map.of("MCP-Protocol-Version", "v9"));
        assertError(unsupported, 400, -32020);
    }

    @Test
    void multiRoundTripRequestStateIsCarriedAndIntegrityProtected() {
        Wire wire = wire(dual);
        ObjectNode call = Json.object("name", "test_input_required_result_multi_round", "arguments", Json.object());
        JsonNode round1 = wire.modern(1, "tools/call", call, Map.of()).body().path("result");
        assertThat(round1.path("resultType").asText()).isEqualTo("input_required");
        assertThat(round1.path("inputRequests").path("step1").path("params").path("mode").asText()).isEqualTo("form");
        ObjectNode retry = call.deepCopy();
        retry.set("inputResponses", Json.object("step1", Json.object("action", "accept", "content",
                Json.object("name", "Ada"))));
        retry.put("requestState", round1.path("requestState").asText());
        JsonNode round2 = wire.modern(2, "tools/call", retry, Map.of()).body().path("result");
        assertThat(round2.path("inputRequests").has("step2")).isTrue();
        ObjectNode last = call.deepCopy();
        last.set("inputResponses", Json.object("step2", Json.object("action", "accept", "content",
                Json.object("color", "blue"))));
        last.put("requestState", round2.path("requestState").asText());
        JsonNode done = wire.modern(3, "tools/call", last, Map.of()).body().path("result");
        assertThat(done.path("content").get(0).path("text").asText()).isEqualTo("Ada likes blue");
        last.put("requestState", round2.path("requestState").asText() + "-TAMPERED");
        assertError(wire.modern(4, "tools/call", last, Map.of()), 400, -32602);
        ObjectNode sampling = Json.object("name", "test_missing_capability", "arguments", Json.object());
        Wire.Answer missing = wire.modern(5, "tools/call", sampling, Map.of());
        assertError(missing, 400, -32021);
        assertThat(missing.body().path("error").path("data").path("requiredCapabilities").has("sampling")).isTrue();
    }

    @Test
    void aLegacyOnlyServerRefusesModernRequestsWithoutAModernError() {
        Wire wire = wire(legacyOnly);
        Wire.Answer discover = wire.modern(1, "server/discover", Json.object(), Map.of());
        assertThat(discover.status()).isEqualTo(400);
        assertThat(discover.body().path("error").path("code").asInt()).isEqualTo(-32600);
        assertThat(wire.post(initialize(), Map.of()).header("Mcp-Session-Id")).isNotBlank();
    }

    @Test
    void aModernOnlyServerNamesItsVersionsToALegacyInitialize() {
        Wire wire = wire(modernOnly);
        Wire.Answer init = wire.post(initialize(), Map.of());
        assertError(init, 400, -32020);
        assertThat(init.body().path("error").path("data").path("supported")).extracting(JsonNode::asText)
                .isEqualTo(List.of("2026-07-28"));
        assertThat(init.header("Mcp-Session-Id")).isNull();
        assertThat(wire.modern(2, "server/discover", Json.object(), Map.of()).body().path("result")
                .path("supportedVersions")).extracting(JsonNode::asText).containsExactly("2026-07-28");
    }

    private static void assertError(Wire.Answer answer, int status, int code) {
        assertThat(answer.status()).as("HTTP status of %s", answer.body()).isEqualTo(status);
        assertThat(answer.body().path("error").path("code").asInt()).as("error of %s", answer.body()).isEqualTo(code);
    }

    private static ObjectNode initialize() {
        return Wire.request(1, "initialize", Json.object("protocolVersion", "2025-11-25", "capabilities", Json.object(),
                "clientInfo", Json.object("name", "test", "version", "1")));
    }

    private static Wire wire(HttpServer server) {
        return new Wire(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + ConformanceUpstreamMain.PATH));
    }
}
