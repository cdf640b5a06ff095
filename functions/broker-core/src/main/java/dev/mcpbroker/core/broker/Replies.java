package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import java.io.IOException;
import java.util.Objects;

/** JSON-RPC responses the broker writes itself: answers from stored results, and its own results. */
final class Replies {

    private final ObjectMapper mapper;

    Replies(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper);
    }

    /** A response to the request {@code id} with {@code result}. */
    ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode response = mapper.createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, id);
        response.set(JsonRpc.RESULT, result);
        return response;
    }

    /** A response to the request {@code id} whose result is stored as JSON text (e.g. a warm session's initialize result). */
    ObjectNode storedResult(JsonNode id, String storedResult) {
        return result(id, read(storedResult));
    }

    /** A stored answer ({@code {"result": ...}} or {@code {"error": ...}}) as the response to the request {@code id}. */
    ObjectNode storedAnswer(JsonNode id, String storedAnswer) {
        if (!(read(storedAnswer) instanceof ObjectNode answer)) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "a stored result is not a JSON object");
        }
        ObjectNode response = mapper.createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, id);
        response.setAll(answer);
        return response;
    }

    /** What is stored of an upstream's response for replay: its result or its error, without id. */
    String answerOf(ObjectNode response) {
        ObjectNode stored = mapper.createObjectNode();
        String member = response.has(JsonRpc.ERROR) ? JsonRpc.ERROR : JsonRpc.RESULT;
        stored.set(member, response.get(member));
        return stored.toString();
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    private JsonNode read(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "a stored result could not be read", e);
        }
    }

    /**
     * The answer preceded by the notifications the upstream sent before it (progress, log messages), when the agent
     * accepts an event stream; they are dropped for an agent that reads JSON only.
     */
    static BrokerResponse withNotifications(BrokerResponse response, Exchange exchange) {
        if (!exchange.request().transport().acceptsEventStream() || exchange.session() == null) {
            return response;
        }
        return response.withEvents(exchange.session().notifications());
    }
}
