package dev.mcpbroker.conformance.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing whole answers on an exchange and reading its headers the way MCP wants them (trimmed values). */
public final class HttpExchanges {

    private HttpExchanges() {
    }

    /** The first value of a header with optional whitespace removed (RFC 9110 §5.5), or null when absent. */
    public static String header(HttpExchange exchange, String name) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null ? null : value.strip();
    }

    public static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A status without a body (202 Accepted, 405 Method Not Allowed, ...). */
    public static void sendEmpty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }
}
