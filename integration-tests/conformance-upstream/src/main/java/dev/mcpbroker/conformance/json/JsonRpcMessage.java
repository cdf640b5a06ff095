package dev.mcpbroker.conformance.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC 2.0 message as received: a request (method and id), a notification (method, no id) or a response
 * (id with result or error). Building messages to send lives here too.
 */
public record JsonRpcMessage(Kind kind, JsonNode id, String method, ObjectNode params, ObjectNode raw) {

    public enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    /**
     * Classifies a decoded body.
     *
     * @throws McpError -32600 for a batch or anything that is not a JSON-RPC 2.0 message
     */
    public static JsonRpcMessage of(JsonNode body) {
        if (body.isArray()) {
            throw McpError.invalidRequest("JSON-RPC batches are not supported: send one message per POST");
        }
        if (!(body instanceof ObjectNode object) || !"2.0".equals(Json.text(object, "jsonrpc"))) {
            throw McpError.invalidRequest("Not a JSON-RPC 2.0 message");
        }
        JsonNode id = object.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber())) {
            throw McpError.invalidRequest("A JSON-RPC id must be a string or an integer");
        }
        JsonNode methodNode = object.get("method");
        if (methodNode != null) {
            if (!methodNode.isTextual()) {
                throw McpError.invalidRequest("method must be a string");
            }
            JsonNode params = object.get("params");
            if (params != null && !params.isObject() && !params.isNull()) {
                throw McpError.invalidRequest("params must be an object");
            }
            ObjectNode paramObject = params instanceof ObjectNode p ? p : null;
            return new JsonRpcMessage(id == null ? Kind.NOTIFICATION : Kind.REQUEST, id, methodNode.asText(),
                    paramObject, object);
        }
        if (id != null && (object.has("result") || object.has("error"))) {
            return new JsonRpcMessage(Kind.RESPONSE, id, null, null, object);
        }
        throw McpError.invalidRequest("Not a JSON-RPC request, notification or response");
    }

    /** The params object, or an empty one when the message has none. */
    public ObjectNode paramsOrEmpty() {
        return params != null ? params : Json.object();
    }

    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode message = Json.object("jsonrpc", "2.0");
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.set("result", result);
        return message;
    }

    public static ObjectNode error(JsonNode id, McpError error) {
        ObjectNode message = Json.object("jsonrpc", "2.0");
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.set("error", error.toErrorObject());
        return message;
    }

    public static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode message = Json.object("jsonrpc", "2.0", "method", method);
        if (params != null) {
            message.set("params", params);
        }
        return message;
    }

    public static ObjectNode request(JsonNode id, String method, ObjectNode params) {
        ObjectNode message = Json.object("jsonrpc", "2.0");
        message.set("id", id);
        message.put("method", method);
        if (params != null) {
            message.set("params", params);
        }
        return message;
    }
}
