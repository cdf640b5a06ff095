package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;

/**
 * What the function writes back: a status, headers, and at most one JSON-RPC message.
 */
public record BrokerResponse(int status, Map<String, String> headers, Optional<ObjectNode> body) {

    public BrokerResponse {
        headers = Map.copyOf(headers);
    }

    public static BrokerResponse json(ObjectNode message) {
        return new BrokerResponse(200, Map.of(), Optional.of(message));
    }

    public static BrokerResponse accepted() {
        return new BrokerResponse(202, Map.of(), Optional.empty());
    }

    public static BrokerResponse noContent() {
        return new BrokerResponse(204, Map.of(), Optional.empty());
    }

    public BrokerResponse withHeader(String name, String value) {
        java.util.HashMap<String, String> copy = new java.util.HashMap<>(headers);
        copy.put(name, value);
        return new BrokerResponse(status, copy, body);
    }

    @Override
    public String toString() {
        return "BrokerResponse[status=" + status + ", body=" + body.isPresent() + "]";
    }
}
