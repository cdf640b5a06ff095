package dev.mcpbroker.function.priming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What priming talks to instead of AWS, an upstream or an identity provider: an HTTP server on the loopback, for the
 * duration of one priming, answering with canned bodies shaped like the real services' answers. Nothing it is sent
 * is kept.
 */
final class LoopbackFixture implements AutoCloseable {

    static final String CONDITION_FAILS_TABLE = "priming-condition-fails";
    static final String AWS_PATH = "/aws";
    static final String MCP_PATH = "/mcp";
    static final String JWKS_PATH = "/jwks";

    private final ObjectMapper mapper;
    private final HttpServer server;
    private volatile byte[] jwks = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);

    LoopbackFixture(ObjectMapper mapper) {
        this.mapper = mapper;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback port for priming", e);
        }
        server.createContext(AWS_PATH, exchange -> answer(exchange, this::aws));
        server.createContext(MCP_PATH, exchange -> answer(exchange, this::mcp));
        server.createContext(JWKS_PATH, exchange -> answer(exchange, ignored -> reply(exchange, 200, "application/json", jwks)));
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path);
    }

    void serveJwks(String keySet) {
        jwks = keySet.getBytes(StandardCharsets.UTF_8);
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static void answer(HttpExchange exchange, Handler handler) {
        try (exchange) {
            handler.handle(exchange);
        } catch (IOException | RuntimeException e) {
            // the client sees a broken answer; the priming step that sent the request reports itself not primed
        }
    }

    /** DynamoDB and Secrets Manager (AWS JSON protocol): by the operation in {@code X-Amz-Target}. */
    private void aws(HttpExchange exchange) throws IOException {
        String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String contentType = "application/x-amz-json-1.1";
        if (body.contains(CONDITION_FAILS_TABLE)) {
            reply(exchange, 400, "application/x-amz-json-1.0", ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                    + "ConditionalCheckFailedException\",\"message\":\"The conditional request failed\","
                    + "\"Item\":" + Primer.ITEM_JSON + "}").getBytes(StandardCharsets.UTF_8));
        } else if (target.endsWith(".GetItem")) {
            reply(exchange, 200, "application/x-amz-json-1.0", ("{\"Item\":" + Primer.ITEM_JSON + "}").getBytes(StandardCharsets.UTF_8));
        } else if (target.endsWith(".Query")) {
            reply(exchange, 200, "application/x-amz-json-1.0",
                    ("{\"Count\":1,\"ScannedCount\":1,\"Items\":[" + Primer.ITEM_JSON + "]}").getBytes(StandardCharsets.UTF_8));
        } else if (target.endsWith(".GetSecretValue")) {
            reply(exchange, 200, contentType, "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:priming\",\"Name\":\"priming\",\"SecretString\":\"cHJpbWluZw==\",\"VersionId\":\"1\"}"
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            reply(exchange, 200, "application/x-amz-json-1.0", "{}".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** An MCP server over Streamable HTTP: the result of any request, as JSON or, when asked for, as an event stream. */
    private void mcp(HttpExchange exchange) throws IOException {
        JsonNode request = mapper.readTree(exchange.getRequestBody());
        if (!request.has("id")) {
            reply(exchange, 202, "application/json", new byte[0]);
            return;
        }
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0").set("id", request.get("id"));
        ObjectNode result = response.putObject("result");
        if ("initialize".equals(request.path("method").asText())) {
            result.put("protocolVersion", request.path("params").path("protocolVersion").asText());
            result.putObject("capabilities").putObject("tools");
            result.putObject("serverInfo").put("name", "priming").put("version", "1");
            exchange.getResponseHeaders().add("Mcp-Session-Id", "priming-session");
            reply(exchange, 200, "application/json", mapper.writeValueAsBytes(response));
            return;
        }
        result.putArray("content").addObject().put("type", "text").put("text", "primed");
        result.put("isError", false);
        byte[] event = ("event: message\ndata: " + mapper.writeValueAsString(response) + "\n\n").getBytes(StandardCharsets.UTF_8);
        reply(exchange, 200, "text/event-stream", event);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
