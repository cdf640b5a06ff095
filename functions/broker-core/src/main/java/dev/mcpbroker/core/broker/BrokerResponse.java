package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the function writes back: a status, headers, and at most one JSON-RPC message, preceded by the notifications
 * the upstream sent before it ({@code events}) when the agent accepts an event stream.
 */
public record BrokerResponse(int status, Map<String, String> headers, Optional<ObjectNode> body, List<ObjectNode> events) {

    public BrokerResponse {
        headers = Map.copyOf(headers);
        events = List.copyOf(events);
    }

    public BrokerResponse(int status, Map<String, String> headers, Optional<ObjectNode> body) {
        this(status, headers, body, List.of());
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
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(name, value);
        return new BrokerResponse(status, copy, body, events);
    }

    public BrokerResponse withBody(ObjectNode message) {
        return new BrokerResponse(status, headers, Optional.of(message), events);
    }

    /** The answer preceded by {@code notifications}: written as an event stream, the answer last. */
    public BrokerResponse withEvents(List<ObjectNode> notifications) {
        return new BrokerResponse(status, headers, body, notifications);
    }

    /** Whether it is written as an event stream rather than one JSON body. */
    public boolean isEventStream() {
        return !events.isEmpty() && body.isPresent();
    }

    @Override
    public String toString() {
        return "BrokerResponse[status=" + status + ", body=" + body.isPresent() + ", events=" + events.size() + "]";
    }
}
