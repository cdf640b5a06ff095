package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.dispatch.ServerIdentity;
import dev.mcpbroker.conformance.http.SseWriter;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import dev.mcpbroker.conformance.json.McpError;
import dev.mcpbroker.conformance.notify.ChangeEvent;
import dev.mcpbroker.conformance.notify.NotificationHub;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code subscriptions/listen}: an event stream that first acknowledges the subset of the requested filter this
 * server honours, then delivers only those notifications, each tagged with the listen request's id. It ends when the
 * client closes it, or after {@link #MAX_DURATION} with a graceful {@code SubscriptionsListenResult}.
 */
final class SubscriptionStreams {

    static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
    static final Duration KEEP_ALIVE = Duration.ofSeconds(5);
    static final Duration MAX_DURATION = Duration.ofMinutes(10);

    private final NotificationHub hub;

    SubscriptionStreams(NotificationHub hub) {
        this.hub = hub;
    }

    /** The honoured filter; throws -32602 before anything is streamed when the request has none. */
    static ObjectNode honoured(ObjectNode params) {
        ObjectNode requested = Json.objectAt(params, "notifications");
        if (requested == null) {
            throw McpError.invalidParams("params.notifications (SubscriptionFilter object) is required");
        }
        ObjectNode honoured = Json.object();
        for (String flag : new String[] {"toolsListChanged", "promptsListChanged"}) {
            if (requested.path(flag).asBoolean(false)) {
                honoured.put(flag, true);
            }
        }
        JsonNode uris = requested.get("resourceSubscriptions");
        if (uris != null && uris.isArray() && !uris.isEmpty()) {
            ArrayNode kept = Json.array();
            uris.forEach(uri -> {
                if (uri.isTextual()) {
                    kept.add(uri.asText());
                }
            });
            honoured.set("resourceSubscriptions", kept);
        }
        return honoured;
    }

    void serve(HttpExchange exchange, JsonNode requestId, ObjectNode honoured) throws IOException {
        Set<String> uris = new HashSet<>();
        honoured.path("resourceSubscriptions").forEach(uri -> uris.add(uri.asText()));
        long deadline = System.nanoTime() + MAX_DURATION.toNanos();
        try (NotificationHub.Listener listener = hub.listen(event -> wants(honoured, uris, event));
                SseWriter stream = SseWriter.open(exchange)) {
            ObjectNode ack = Json.object("notifications", honoured, "_meta", tagged(requestId));
            stream.event(JsonRpcMessage.notification("notifications/subscriptions/acknowledged", ack));
            while (System.nanoTime() < deadline) {
                ChangeEvent event = listener.next(KEEP_ALIVE.toMillis());
                if (event == null) {
                    stream.keepAlive();
                    continue;
                }
                ObjectNode params = event.uri() == null ? Json.object() : Json.object("uri", event.uri());
                params.set("_meta", tagged(requestId));
                stream.event(JsonRpcMessage.notification(event.kind().method(), params));
            }
            ObjectNode meta = tagged(requestId);
            meta.set("io.modelcontextprotocol/serverInfo", ServerIdentity.serverInfo());
            stream.event(JsonRpcMessage.result(requestId, Json.object("resultType", "complete", "_meta", meta)));
        } catch (IOException e) {
            // the client closed the stream: the subscription ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ObjectNode tagged(JsonNode requestId) {
        ObjectNode meta = Json.object();
        meta.set(SUBSCRIPTION_ID, requestId);
        return meta;
    }

    private static boolean wants(ObjectNode honoured, Set<String> uris, ChangeEvent event) {
        return switch (event.kind()) {
            case TOOLS_LIST_CHANGED -> honoured.path("toolsListChanged").asBoolean(false);
            case PROMPTS_LIST_CHANGED -> honoured.path("promptsListChanged").asBoolean(false);
            case RESOURCE_UPDATED -> uris.contains(event.uri());
        };
    }
}
