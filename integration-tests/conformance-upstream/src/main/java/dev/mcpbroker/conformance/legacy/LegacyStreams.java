package dev.mcpbroker.conformance.legacy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.http.HttpExchanges;
import dev.mcpbroker.conformance.http.SseWriter;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import dev.mcpbroker.conformance.notify.ChangeEvent;
import dev.mcpbroker.conformance.notify.NotificationHub;

import java.io.IOException;
import java.time.Duration;

/**
 * The standalone GET stream of a legacy session (one per session; a second GET gets 409): list changes, and
 * {@code notifications/resources/updated} for the resources the session subscribed to. It stays open until the
 * client leaves or the session ends; a comment line every few seconds notices a client that left.
 */
public final class LegacyStreams {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

    private final NotificationHub hub;

    public LegacyStreams(NotificationHub hub) {
        this.hub = hub;
    }

    void serve(HttpExchange exchange, LegacySession session) throws IOException {
        if (!session.claimGetStream()) {
            HttpExchanges.sendEmpty(exchange, 409);
            return;
        }
        SseWriter stream = null;
        try (NotificationHub.Listener listener = hub.listen(event -> wants(session, event))) {
            stream = SseWriter.open(exchange);
            session.attachGetStream(stream);
            while (!session.isClosed()) {
                ChangeEvent event = listener.next(KEEP_ALIVE.toMillis());
                if (event == null) {
                    stream.keepAlive();
                } else {
                    ObjectNode params = event.uri() == null ? Json.object() : Json.object("uri", event.uri());
                    stream.event(JsonRpcMessage.notification(event.kind().method(), params));
                }
            }
        } catch (IOException e) {
            // the client left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            session.releaseGetStream();
            if (stream != null) {
                stream.close();
            }
        }
    }

    private static boolean wants(LegacySession session, ChangeEvent event) {
        return event.kind() != ChangeEvent.Kind.RESOURCE_UPDATED || session.subscriptions().contains(event.uri());
    }
}
