package dev.mcpbroker.conformance.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code text/event-stream} answer: one JSON-RPC message per event, flushed at once, and comment lines as
 * keep-alives. A write that fails means the client went away (for 2026-07-28: the request is cancelled).
 */
public final class SseWriter implements AutoCloseable {

    private final OutputStream out;
    private boolean closed;

    private SseWriter(OutputStream out) {
        this.out = out;
    }

    /** Sends 200 with the event-stream headers and returns the writer for the body. */
    public static SseWriter open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        return new SseWriter(exchange.getResponseBody());
    }

    public synchronized void event(JsonNode message) throws IOException {
        write("event: message\ndata: " + Json.write(message) + "\n\n");
    }

    /** A comment line: carries nothing, keeps intermediaries and idle timeouts from closing the stream. */
    public synchronized void keepAlive() throws IOException {
        write(":\n\n");
    }

    private void write(String text) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            // the client is gone already
        }
    }
}
