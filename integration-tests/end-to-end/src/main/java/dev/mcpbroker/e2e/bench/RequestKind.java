package dev.mcpbroker.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The kinds of request whose critical path the broker shortens, as an agent sends them over plain HTTP: four in a
 * 2025-11-25 session and one stateless 2026-07-28 request. Each names the upstream it is sent to ({@code payments},
 * the demo ledger, or {@code fixture}, the conformance fixture server serving both generations).
 */
enum RequestKind {

    READ_ONLY_CALL("payments", false, """
            {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_balance","arguments":{"account":"alice"}}}"""),
    TOOLS_LIST("payments", false, """
            {"jsonrpc":"2.0","id":%d,"method":"tools/list","params":{}}"""),
    RESOURCE_READ("fixture", false, """
            {"jsonrpc":"2.0","id":%d,"method":"resources/read","params":{"uri":"test://static-text"}}"""),
    STATE_CHANGING_CALL("payments", false, """
            {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"transfer","arguments":{"from":"alice","to":"bob","amountCents":1}}}"""),
    STATELESS_READ("fixture", true, """
            {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"test_simple_text","arguments":{},
             "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},
              "io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}}}""");

    private static final String LEGACY = "2025-11-25";
    private static final String MODERN = "2026-07-28";
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
             "clientInfo":{"name":"bench","version":"1"}}}""";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final String server;
    private final boolean stateless;
    private final String body;

    RequestKind(String server, boolean stateless, String body) {
        this.server = server;
        this.stateless = stateless;
        this.body = body;
    }

    /** Requests of this kind on one path: its session opened (for a session kind), ready to send. */
    Caller open(Function<String, URI> endpointOfServer, Map<String, String> headers) {
        URI endpoint = endpointOfServer.apply(server);
        if (stateless) {
            return new Caller(this, endpoint, headers, null);
        }
        HttpResponse<String> init = post(endpoint, headers, INITIALIZE);
        String session = init.headers().firstValue("Mcp-Session-Id")
                .orElseThrow(() -> new IllegalStateException("no session from " + endpoint + ": HTTP " + init.statusCode()));
        Map<String, String> inSession = new HashMap<>(headers);
        inSession.put("Mcp-Session-Id", session);
        inSession.put("MCP-Protocol-Version", LEGACY);
        post(endpoint, inSession, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return new Caller(this, endpoint, Map.copyOf(inSession), session);
    }

    /** Sends requests of one kind on one path. */
    record Caller(RequestKind kind, URI endpoint, Map<String, String> headers, String sessionId) {

        void call(int id) {
            Map<String, String> sent = new HashMap<>(headers);
            if (kind == STATE_CHANGING_CALL) {
                sent.put("Idempotency-Key", "bench-" + UUID.randomUUID());
            }
            if (kind.stateless) {
                sent.put("MCP-Protocol-Version", MODERN);
                sent.put("Mcp-Method", "tools/call");
                sent.put("Mcp-Name", "test_simple_text");
            }
            HttpResponse<String> response = post(endpoint, sent, kind.body.formatted(id));
            if (response.statusCode() != 200 || !response.body().contains("\"result\"")) {
                throw new IllegalStateException(kind + " failed on " + endpoint + ": HTTP " + response.statusCode()
                        + " " + response.body().substring(0, Math.min(300, response.body().length())));
            }
        }

        void close() {
            if (sessionId == null) {
                return;
            }
            try {
                HttpRequest.Builder delete = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(120)).DELETE();
                headers.forEach(delete::header);
                HTTP.send(delete.build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // ending the session is courtesy; the numbers are taken
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static HttpResponse<String> post(URI endpoint, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
