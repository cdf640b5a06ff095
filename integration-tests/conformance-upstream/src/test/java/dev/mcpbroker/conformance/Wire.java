package dev.mcpbroker.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Raw HTTP against the fixture server, as the tests need it: exact headers, status and body. */
final class Wire {

    record Answer(int status, HttpResponse<String> response, JsonNode body) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI endpoint;

    Wire(URI endpoint) {
        this.endpoint = endpoint;
    }

    Answer post(ObjectNode body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        headers.forEach(request::header);
        return send(request);
    }

    Answer send(String method, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return send(request);
    }

    /** A 2026-07-28 request with conformant headers and {@code _meta} (capabilities: elicitation only). */
    Answer modern(int id, String method, ObjectNode params, Map<String, String> extraHeaders) {
        ObjectNode withMeta = params.deepCopy();
        withMeta.set("_meta", Json.object("io.modelcontextprotocol/protocolVersion", "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities", Json.object("elicitation", Json.object())));
        Map<String, String> headers = new java.util.HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28",
                "Mcp-Method", method));
        String name = Json.text(params, method.equals("resources/read") ? "uri" : "name");
        if (name != null) {
            headers.put("Mcp-Name", name);
        }
        headers.putAll(extraHeaders);
        return post(request(id, method, withMeta), headers);
    }

    static ObjectNode request(int id, String method, ObjectNode params) {
        return Json.object("jsonrpc", "2.0", "id", id, "method", method, "params", params);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String text = response.body();
            JsonNode body = null;
            if (text != null && !text.isBlank()) {
                String json = text.startsWith("event:") || text.startsWith("data:")
                        ? text.lines().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElse("").substring(5)
                        : text;
                body = Json.parse(json.strip().getBytes(StandardCharsets.UTF_8));
            }
            return new Answer(response.statusCode(), response, body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
