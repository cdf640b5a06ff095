package dev.mcpbroker.conformance.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The answer to one POSTed request: {@code application/json} when nothing but the response is sent, switching to
 * {@code text/event-stream} the moment the handler emits a message before it (a progress or log notification, or a
 * legacy server-to-client request). A client that accepts only event streams always gets one.
 */
public final class ResponseChannel {

    private final HttpExchange exchange;
    private final boolean streamOnly;
    private SseWriter sse;

    public ResponseChannel(HttpExchange exchange) {
        this.exchange = exchange;
        String accept = HttpExchanges.header(exchange, "Accept");
        this.streamOnly = accept != null && accept.contains("text/event-stream") && !accept.contains("application/json")
                && !accept.contains("*/*");
    }

    /** Sends a message ahead of the response (the answer becomes an event stream). */
    public synchronized void emit(JsonNode message) {
        try {
            stream().event(message);
        } catch (IOException e) {
            throw new UncheckedIOException("the client closed the response stream", e);
        }
    }

    /**
     * Sends the final message. {@code status} applies while the answer is still plain JSON; on an open event stream
     * the message is the last event and the stream ends.
     */
    public synchronized void finish(int status, JsonNode message) throws IOException {
        if (sse == null && (!streamOnly || status != 200)) {
            HttpExchanges.sendJson(exchange, status, message);
            return;
        }
        try {
            stream().event(message);
        } finally {
            sse.close();
        }
    }

    public synchronized boolean streaming() {
        return sse != null;
    }

    private SseWriter stream() throws IOException {
        if (sse == null) {
            sse = SseWriter.open(exchange);
        }
        return sse;
    }
}
