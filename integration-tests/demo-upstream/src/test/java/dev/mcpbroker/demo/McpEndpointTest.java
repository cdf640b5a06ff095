package dev.mcpbroker.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The tools over real Streamable HTTP (raw JSON-RPC, no SDK), as a broker would call them. */
@QuarkusTest
class McpEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Inject
    Ledger ledger;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger ids = new AtomicInteger();
    private String sessionId;

    @BeforeEach
    void initialize() throws Exception {
        ledger.reset();
        HttpResponse<String> init = post(Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(), "method", "initialize",
                "params", Map.of("protocolVersion", "2025-11-25", "capabilities", Map.of(),
                        "clientInfo", Map.of("name", "test", "version", "1"))), Map.of());
        assertThat(init.statusCode()).isEqualTo(200);
        sessionId = init.headers().firstValue("mcp-session-id").orElseThrow();
        JsonNode result = body(init).path("result");
        assertThat(result.path("serverInfo").path("name").asText()).isEqualTo("demo-payments");
        assertThat(result.path("protocolVersion").asText()).isEqualTo("2025-11-25");
        assertThat(post(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"), Map.of()).statusCode())
                .isEqualTo(202);
    }

    @Test
    void toolsCarryTheirHints() throws Exception {
        JsonNode tools = call("tools/list", Map.of(), Map.of()).path("result").path("tools");
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        tools.forEach(t -> byName.put(t.path("name").asText(), t));
        assertThat(byName).containsOnlyKeys("transfer", "get_balance", "list_transfers", "echo_credentials",
                "echo_trace_context", "diagnostics");
        assertThat(byName.get("transfer").path("annotations").path("readOnlyHint").asBoolean(true)).isFalse();
        assertThat(byName.get("transfer").path("annotations").path("destructiveHint").asBoolean(false)).isTrue();
        assertThat(byName.get("get_balance").path("annotations").path("readOnlyHint").asBoolean()).isTrue();
        assertThat(byName.get("list_transfers").path("annotations").path("readOnlyHint").asBoolean()).isTrue();
    }

    @Test
    void transferExecutesOnceAndInsufficientFundsIsAToolError() throws Exception {
        JsonNode ok = call("tools/call", Map.of("name", "transfer",
                "arguments", Map.of("from", "alice", "to", "bob", "amountCents", 1234)), Map.of("Authorization", "Bearer x"));
        assertThat(ok.path("result").path("isError").asBoolean(false)).isFalse();
        assertThat(ok.path("result").path("structuredContent").path("transferId").asText()).isEqualTo("tx-1");
        assertThat(ok.path("result").path("structuredContent").path("balances").path("bob").asLong()).isEqualTo(51_234L);

        JsonNode broke = call("tools/call", Map.of("name", "transfer",
                "arguments", Map.of("from", "carol", "to", "bob", "amountCents", 1)), Map.of());
        assertThat(broke.has("error")).isFalse();
        assertThat(broke.path("result").path("isError").asBoolean()).isTrue();
        assertThat(broke.path("result").path("content").get(0).path("text").asText()).startsWith("insufficient funds");

        assertThat(get("/admin/executions")).isEqualTo(JSON.readTree("{\"transfer\":2,\"get_balance\":0,\"list_transfers\":0}"));
        assertThat(get("/admin/last-request-headers").has("authorization")).isFalse();
        assertThat(get("/admin/last-request-headers").path("mcp-session-id").asText()).isEqualTo(sessionId);
    }

    @Test
    void idempotencyKeyInMetaOrHeaderReplaysWithoutExecuting() throws Exception {
        Map<String, Object> args = Map.of("from", "alice", "to", "bob", "amountCents", 10);
        JsonNode first = call("tools/call", Map.of("name", "transfer", "arguments", args,
                "_meta", Map.of("dev.mcpbroker/idempotencyKey", "key-A")), Map.of());
        JsonNode replay = call("tools/call", Map.of("name", "transfer", "arguments", args), Map.of("Idempotency-Key", "key-A"));
        assertThat(replay.path("result").path("structuredContent").path("transferId").asText())
                .isEqualTo(first.path("result").path("structuredContent").path("transferId").asText());
        assertThat(replay.path("result").path("structuredContent").path("replayed").asBoolean()).isTrue();
        assertThat(ledger.executions()).containsEntry("transfer", 1L);
    }

    @Test
    void diagnosticsEchoesTheAuthorizationHeaderInEveryFormAndKindOfContent() throws Exception {
        String header = "Bearer diagnostics-secret-77";
        JsonNode result = call("tools/call", Map.of("name", "diagnostics", "arguments", Map.of()),
                Map.of("Authorization", header)).path("result");
        Map<String, String> forms = DiagnosticsTool.forms(header);
        String text = JSON.writeValueAsString(result.path("content"));
        forms.values().forEach(form -> assertThat(text).contains(form));
        assertThat(result.path("structuredContent").path("forms").path("base64UrlNoPadding").asText())
                .isEqualTo(forms.get("base64UrlNoPadding"));
        StringBuilder joined = new StringBuilder();
        JsonNode blob = null;
        JsonNode image = null;
        for (JsonNode item : result.path("content")) {
            joined.append(item.path("text").asText(""));
            if (item.path("type").asText().equals("resource")) {
                blob = item.path("resource").path("blob");
            } else if (item.path("type").asText().equals("image")) {
                image = item.path("data");
            }
        }
        assertThat(joined.toString()).contains("split: " + header + " (end)");
        assertThat(new String(java.util.Base64.getMimeDecoder().decode(blob.asText()), java.nio.charset.StandardCharsets.UTF_8))
                .contains("hex=" + forms.get("hex"));
        assertThat(new String(java.util.Base64.getDecoder().decode(image.asText()), java.nio.charset.StandardCharsets.UTF_8))
                .contains(header);
    }

    private JsonNode call(String method, Map<String, Object> params, Map<String, String> headers) throws Exception {
        HttpResponse<String> response = post(Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(), "method", method,
                "params", params), headers);
        assertThat(response.statusCode()).isEqualTo(200);
        return body(response);
    }

    private HttpResponse<String> post(Map<String, Object> message, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(message)));
        if (sessionId != null) {
            request.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A JSON body, or the last {@code data:} event of an SSE body. */
    private static JsonNode body(HttpResponse<String> response) throws Exception {
        String text = response.body();
        if (response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
            String data = null;
            for (String line : text.split("\n")) {
                if (line.startsWith("data:")) {
                    data = line.substring(5).trim();
                }
            }
            text = data;
        }
        return JSON.readTree(text);
    }
}
