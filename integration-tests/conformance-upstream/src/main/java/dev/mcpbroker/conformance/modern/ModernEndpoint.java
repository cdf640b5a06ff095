package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.conformance.dispatch.Dispatcher;
import dev.mcpbroker.conformance.dispatch.ServerIdentity;
import dev.mcpbroker.conformance.era.ProtocolVersions;
import dev.mcpbroker.conformance.era.ServedGenerations;
import dev.mcpbroker.conformance.fixtures.FixtureTool;
import dev.mcpbroker.conformance.http.HttpExchanges;
import dev.mcpbroker.conformance.http.ResponseChannel;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import dev.mcpbroker.conformance.json.McpError;
import dev.mcpbroker.conformance.mrtr.InputRequired;
import dev.mcpbroker.conformance.mrtr.InputResponses;
import dev.mcpbroker.conformance.mrtr.RequestStateCodec;
import dev.mcpbroker.conformance.notify.NotificationHub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 2026-07-28 generation of the endpoint: every POST stands alone. In order: headers against the body (-32020),
 * the per-request {@code _meta} (-32602), the protocol version (-32022), the method (404 with -32601), the
 * {@code requestState} of an MRTR retry, the handler. GET and DELETE get 405; sessions are neither minted nor read.
 */
public final class ModernEndpoint {

    private static final Set<String> MRTR_METHODS = Set.of("tools/call", "prompts/get", "resources/read");

    private final Dispatcher dispatcher;
    private final RequestStateCodec stateCodec;
    private final SubscriptionStreams subscriptions;
    private final List<String> supportedVersions;

    public ModernEndpoint(Dispatcher dispatcher, RequestStateCodec stateCodec,
            NotificationHub hub, ServedGenerations served) {
        this.dispatcher = dispatcher;
        this.stateCodec = stateCodec;
        this.subscriptions = new SubscriptionStreams(hub);
        this.supportedVersions = ProtocolVersions.supported(served);
    }

    public void post(HttpExchange exchange, JsonRpcMessage message) throws IOException {
        switch (message.kind()) {
            case NOTIFICATION -> HttpExchanges.sendEmpty(exchange, 202);
            case RESPONSE -> send(exchange, message.id(), McpError.invalidRequest(
                    "Clients do not POST responses in 2026-07-28: answers travel as inputResponses (MRTR)"));
            case REQUEST -> request(exchange, message);
        }
    }

    /** GET and DELETE: no standalone stream, no sessions in 2026-07-28. */
    public void notAllowed(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Allow", "POST");
        HttpExchanges.sendEmpty(exchange, 405);
    }

    private void request(HttpExchange exchange, JsonRpcMessage message) throws IOException {
        String method = message.method();
        ObjectNode params = message.paramsOrEmpty();
        RequestMeta meta;
        try {
            String version = HeaderValidator.checkVersionAndMethod(exchange, method);
            meta = RequestMeta.of(message.params());
            if (!version.equals(meta.protocolVersion())) {
                throw McpError.headerMismatch("Header mismatch: MCP-Protocol-Version header value '" + version
                        + "' does not match body value '" + meta.protocolVersion() + "'");
            }
            if (!ProtocolVersions.isModern(meta.protocolVersion())) {
                throw McpError.unsupportedVersion(supportedVersions, meta.protocolVersion());
            }
            HeaderValidator.checkName(exchange, method, params);
        } catch (McpError e) {
            send(exchange, message.id(), withSupportedVersions(method, e));
            return;
        }
        switch (method) {
            case "server/discover" -> send(exchange, message.id(), ModernResults.complete(method, discover(), false));
            case "subscriptions/listen" -> listen(exchange, message, params);
            default -> {
                if (Dispatcher.SHARED_METHODS.contains(method)) {
                    call(exchange, message, params, meta);
                } else {
                    send(exchange, message.id(), McpError.methodNotFound(method));
                }
            }
        }
    }

    private void call(HttpExchange exchange, JsonRpcMessage message, ObjectNode params, RequestMeta meta)
            throws IOException {
        String method = message.method();
        ResponseChannel channel = new ResponseChannel(exchange);
        RequestStateCodec.Binding binding = MRTR_METHODS.contains(method) ? binding(exchange, method, params) : null;
        ObjectNode response;
        try {
            boolean retry = binding != null && (params.has("inputResponses") || params.has("requestState"));
            ObjectNode inputResponses = binding == null ? null : InputResponses.ofParams(params);
            Map<String, JsonNode> carried = binding == null ? Map.of() : carriedAnswers(params, binding);
            if (method.equals("tools/call")) {
                checkMirroredParams(exchange, params);
            }
            ModernCallContext context = new ModernCallContext(meta, channel, carried, inputResponses,
                    params.hasNonNull("requestState"));
            ObjectNode result = dispatcher.dispatch(method, params, context);
            response = JsonRpcMessage.result(message.id(), ModernResults.complete(method, result, retry));
        } catch (InputRequired needed) {
            String state = stateCodec.encode(binding, needed.answered());
            response = JsonRpcMessage.result(message.id(), ModernResults.inputRequired(needed.missing(), state));
        } catch (McpError e) {
            channel.finish(e.httpStatus(), JsonRpcMessage.error(message.id(), e));
            return;
        } catch (UncheckedIOException e) {
            return; // the client closed the response stream: the request is cancelled
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = JsonRpcMessage.error(message.id(), new McpError(McpError.INTERNAL_ERROR, "The server is stopping"));
        }
        channel.finish(200, response);
    }

    private Map<String, JsonNode> carriedAnswers(ObjectNode params, RequestStateCodec.Binding binding) {
        JsonNode state = params.get("requestState");
        if (state == null || state.isNull()) {
            return Map.of();
        }
        if (!state.isTextual()) {
            throw McpError.invalidParams("requestState must be the string the server returned");
        }
        return stateCodec.decode(state.asText(), binding);
    }

    private void checkMirroredParams(HttpExchange exchange, ObjectNode params) {
        FixtureTool tool = dispatcher.tools().find(Json.text(params, "name")).orElse(null);
        if (tool != null) {
            ObjectNode arguments = Json.objectAt(params, "arguments");
            HeaderValidator.checkParams(exchange, tool.inputSchema(), arguments != null ? arguments : Json.object());
        }
    }

    private static RequestStateCodec.Binding binding(HttpExchange exchange, String method, ObjectNode params) {
        boolean resource = method.equals("resources/read");
        String name = Json.text(params, resource ? "uri" : "name");
        JsonNode arguments = resource ? null : params.get("arguments");
        String principal = HttpExchanges.header(exchange, "Authorization");
        return new RequestStateCodec.Binding(method, String.valueOf(name), arguments, principal == null ? "" : principal);
    }

    private void listen(HttpExchange exchange, JsonRpcMessage message, ObjectNode params) throws IOException {
        ObjectNode honoured;
        try {
            honoured = SubscriptionStreams.honoured(params);
        } catch (McpError e) {
            send(exchange, message.id(), e);
            return;
        }
        subscriptions.serve(exchange, message.id(), honoured);
    }

    private ObjectNode discover() {
        return Json.object("supportedVersions", supportedVersions, "capabilities", ServerIdentity.capabilities(),
                "instructions", ServerIdentity.INSTRUCTIONS);
    }

    /** A modern-only server names the versions it supports in whatever it answers a legacy initialize. */
    private McpError withSupportedVersions(String method, McpError error) {
        if (!method.equals("initialize") || error.data() != null) {
            return error;
        }
        return new McpError(error.code(), error.getMessage() + " (this server speaks protocol versions "
                + supportedVersions + "; initialize is not part of them)",
                Json.object("supported", supportedVersions), error.httpStatus());
    }

    private static void send(HttpExchange exchange, JsonNode id, ObjectNode result) throws IOException {
        HttpExchanges.sendJson(exchange, 200, JsonRpcMessage.result(id, result));
    }

    private static void send(HttpExchange exchange, JsonNode id, McpError error) throws IOException {
        HttpExchanges.sendJson(exchange, error.httpStatus(), JsonRpcMessage.error(id, error));
    }
}
