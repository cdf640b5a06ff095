package dev.mcpbroker.conformance.legacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.dispatch.Dispatcher;
import dev.mcpbroker.conformance.dispatch.LogLevels;
import dev.mcpbroker.conformance.dispatch.ServerIdentity;
import dev.mcpbroker.conformance.era.ProtocolVersions;
import dev.mcpbroker.conformance.http.HttpExchanges;
import dev.mcpbroker.conformance.http.ResponseChannel;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import dev.mcpbroker.conformance.json.McpError;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The legacy generation (2025-03-26..2025-11-25) of the endpoint: {@code initialize} opens a session; requests on
 * it are answered as JSON, or as an event stream when the handler sends notifications or asks the client
 * something; responses and notifications the client POSTs get 202.
 */
public final class LegacyEndpoint {

    public static final String SESSION_HEADER = "Mcp-Session-Id";

    private final LegacySessionStore sessions;
    private final Dispatcher dispatcher;
    private final LegacyStreams streams;

    public LegacyEndpoint(LegacySessionStore sessions, Dispatcher dispatcher, LegacyStreams streams) {
        this.sessions = sessions;
        this.dispatcher = dispatcher;
        this.streams = streams;
    }

    public void initialize(HttpExchange exchange, JsonRpcMessage message) throws IOException {
        if (!message.isRequest()) {
            reject(exchange, 400, message, McpError.invalidRequest("initialize must be a request"));
            return;
        }
        ObjectNode params = message.paramsOrEmpty();
        String requested = Json.text(params, "protocolVersion");
        if (requested == null) {
            reject(exchange, 200, message, McpError.invalidParams("params.protocolVersion (string) is required"));
            return;
        }
        ObjectNode capabilities = Json.objectAt(params, "capabilities");
        String negotiated = ProtocolVersions.negotiateLegacy(requested);
        LegacySession session = sessions.create(negotiated, capabilities != null ? capabilities : Json.object());
        ObjectNode result = Json.object("protocolVersion", negotiated,
                "capabilities", ServerIdentity.capabilities(),
                "serverInfo", ServerIdentity.serverInfo(),
                "instructions", ServerIdentity.INSTRUCTIONS);
        exchange.getResponseHeaders().set(SESSION_HEADER, session.id());
        HttpExchanges.sendJson(exchange, 200, JsonRpcMessage.result(message.id(), result));
    }

    public void post(HttpExchange exchange, LegacySession session, JsonRpcMessage message) throws IOException {
        switch (message.kind()) {
            case RESPONSE -> {
                session.complete(message.id(), message.raw());
                HttpExchanges.sendEmpty(exchange, 202);
            }
            case NOTIFICATION -> HttpExchanges.sendEmpty(exchange, 202);
            case REQUEST -> answer(exchange, session, message);
        }
    }

    /** The standalone GET stream: list changes, and updates of the resources the session subscribed to. */
    public void get(HttpExchange exchange, LegacySession session) throws IOException {
        streams.serve(exchange, session);
    }

    public void delete(HttpExchange exchange, LegacySession session) throws IOException {
        sessions.remove(session.id());
        HttpExchanges.sendEmpty(exchange, 200);
    }

    private void answer(HttpExchange exchange, LegacySession session, JsonRpcMessage message) throws IOException {
        ResponseChannel channel = new ResponseChannel(exchange);
        ObjectNode params = message.paramsOrEmpty();
        JsonNode progressToken = params.path("_meta").get("progressToken");
        ObjectNode response;
        try {
            ObjectNode result = switch (message.method()) {
                case "initialize" -> throw McpError.invalidRequest("The session is initialized already");
                case "ping" -> Json.object();
                case "logging/setLevel" -> setLevel(session, params);
                case "resources/subscribe" -> subscribe(session, params, true);
                case "resources/unsubscribe" -> subscribe(session, params, false);
                default -> {
                    if (!Dispatcher.SHARED_METHODS.contains(message.method())) {
                        throw McpError.methodNotFound(message.method());
                    }
                    yield dispatcher.dispatch(message.method(), params,
                            new LegacyCallContext(session, channel, progressToken));
                }
            };
            response = JsonRpcMessage.result(message.id(), result);
        } catch (McpError e) {
            response = JsonRpcMessage.error(message.id(), e);
        } catch (UncheckedIOException e) {
            return; // the client closed the response stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = JsonRpcMessage.error(message.id(), new McpError(McpError.INTERNAL_ERROR, "The server is stopping"));
        }
        try {
            channel.finish(200, response);
        } catch (IOException e) {
            // the client went away before the answer
        }
    }

    private static ObjectNode setLevel(LegacySession session, ObjectNode params) {
        String level = Json.text(params, "level");
        if (level == null || !LogLevels.isValid(level)) {
            throw McpError.invalidParams("params.level must be one of " + LogLevels.ORDER);
        }
        session.logLevel(level);
        return Json.object();
    }

    private static ObjectNode subscribe(LegacySession session, ObjectNode params, boolean on) {
        String uri = Json.text(params, "uri");
        if (uri == null) {
            throw McpError.invalidParams("params.uri (string) is required");
        }
        if (on) {
            session.subscriptions().add(uri);
        } else {
            session.subscriptions().remove(uri);
        }
        return Json.object();
    }

    private static void reject(HttpExchange exchange, int status, JsonRpcMessage message, McpError error)
            throws IOException {
        HttpExchanges.sendJson(exchange, status, JsonRpcMessage.error(message.id(), error));
    }
}
