package dev.mcpbroker.conformance.legacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.http.SseWriter;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One legacy session: what initialize negotiated, the client's log level and resource subscriptions, the
 * server-to-client requests awaiting an answer, and the standalone GET stream if one is open.
 */
public final class LegacySession {

    private final String id;
    private final String protocolVersion;
    private final ObjectNode clientCapabilities;
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final AtomicReference<SseWriter> getStream = new AtomicReference<>();
    private final AtomicBoolean getStreamClaimed = new AtomicBoolean();
    private volatile String logLevel;
    private volatile long lastSeenMillis;
    private volatile boolean closed;

    LegacySession(String id, String protocolVersion, ObjectNode clientCapabilities, long nowMillis) {
        this.id = id;
        this.protocolVersion = protocolVersion;
        this.clientCapabilities = clientCapabilities;
        this.lastSeenMillis = nowMillis;
    }

    public String id() {
        return id;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    public boolean declares(String capability) {
        return clientCapabilities.has(capability);
    }

    /** The level set with logging/setLevel, or null when the client never set one (everything is sent). */
    public String logLevel() {
        return logLevel;
    }

    public void logLevel(String level) {
        this.logLevel = level;
    }

    public Set<String> subscriptions() {
        return subscriptions;
    }

    /** A fresh id for a server-to-client request, and the future its response completes. */
    public Map.Entry<JsonNode, CompletableFuture<ObjectNode>> expectResponse() {
        JsonNode requestId = LongNode.valueOf(nextRequestId.getAndIncrement());
        CompletableFuture<ObjectNode> future = new CompletableFuture<>();
        pending.put(requestId.toString(), future);
        return Map.entry(requestId, future);
    }

    /** Hands a response the client POSTed to the request waiting for it; false when none waits. */
    public boolean complete(JsonNode requestId, ObjectNode response) {
        CompletableFuture<ObjectNode> future = pending.remove(requestId.toString());
        return future != null && future.complete(response);
    }

    public void forget(JsonNode requestId) {
        pending.remove(requestId.toString());
    }

    /** Claims the session's single standalone GET stream; false when one is open already. */
    boolean claimGetStream() {
        return getStreamClaimed.compareAndSet(false, true);
    }

    /** The claimed stream, once open, so that ending the session closes it. */
    void attachGetStream(SseWriter stream) {
        getStream.set(stream);
        if (closed) {
            stream.close();
        }
    }

    void releaseGetStream() {
        getStream.set(null);
        getStreamClaimed.set(false);
    }

    void touch(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    long lastSeenMillis() {
        return lastSeenMillis;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Ends the session: its GET stream closes and requests waiting for the client fail. */
    void close() {
        closed = true;
        SseWriter stream = getStream.getAndSet(null);
        if (stream != null) {
            stream.close();
        }
        pending.values().forEach(f -> f.cancel(false));
        pending.clear();
    }
}
