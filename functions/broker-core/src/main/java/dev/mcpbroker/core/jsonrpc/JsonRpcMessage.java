package dev.mcpbroker.core.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC 2.0 message as it crossed the wire. The broker keeps the original object so that anything
 * it does not need to understand is relayed unchanged.
 */
public sealed interface JsonRpcMessage {

    /** The message exactly as received. */
    ObjectNode json();

    /** A request: has a method and an id, expects a response. */
    record Request(ObjectNode json, JsonNode id, String method) implements JsonRpcMessage {

        /** The params object, or an empty object when the request has none. */
        public ObjectNode params() {
            JsonNode params = json.get(JsonRpc.PARAMS);
            return params instanceof ObjectNode object ? object : json.objectNode();
        }
    }

    /** A notification: has a method and no id; never answered. */
    record Notification(ObjectNode json, String method) implements JsonRpcMessage {
    }

    /** A response (result or error) to a request the other side sent. */
    record Response(ObjectNode json, JsonNode id) implements JsonRpcMessage {

        public boolean isError() {
            return json.has(JsonRpc.ERROR);
        }
    }
}
