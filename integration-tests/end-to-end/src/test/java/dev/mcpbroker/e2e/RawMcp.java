package dev.mcpbroker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Plain HTTP against an MCP endpoint, for tests that must control every header (e.g. carry one session
 * across broker instances). Behaviour seen by real clients is tested with the SDKs.
 */
final class RawMcp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"raw-e2e","version":"1.0"}}}""";

    record Reply(int status, String sessionId, JsonNode body) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RawMcp() {
    }

    static Reply post(LocalBrokerStack stack, URI endpoint, String sessionId, String body) {
        return post(endpoint, stack.devAuthorization().get("Authorization"), sessionId, body);
    }

    static Reply post(URI endpoint, String authorization, String sessionId, String body) {
        return post(endpoint, authorization, sessionId, body, java.util.Map.of());
    }

    static Reply post(URI endpoint, String authorization, String sessionId, String body, java.util.Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            request.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        headers.forEach(request::header);
        return send(request.build());
    }

    static Reply delete(LocalBrokerStack stack, URI endpoint, String sessionId) {
        return send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Authorization", stack.devAuthorization().get("Authorization"))
                .header("Mcp-Session-Id", sessionId).DELETE().build());
    }

    static String initialize(LocalBrokerStack stack, URI endpoint) {
        Reply reply = post(stack, endpoint, null, INITIALIZE);
        if (reply.status() != 200 || reply.sessionId() == null) {
            throw new AssertionError("initialize failed: " + reply);
        }
        post(stack, endpoint, reply.sessionId(), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return reply.sessionId();
    }

    static String toolCall(int id, String tool, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argumentsJson + "}}";
    }

    private static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            return new Reply(response.statusCode(), response.headers().firstValue("Mcp-Session-Id").orElse(null), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
