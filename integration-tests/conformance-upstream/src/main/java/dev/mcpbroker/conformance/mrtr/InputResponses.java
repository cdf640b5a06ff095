package dev.mcpbroker.conformance.mrtr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.json.McpError;

import java.util.Set;

/** Checks that a client's answer has the shape of the result its input request asked for. */
public final class InputResponses {

    private static final Set<String> ELICIT_ACTIONS = Set.of("accept", "decline", "cancel");

    private InputResponses() {
    }

    /** The {@code inputResponses} param: absent (null), or an object whose every value is an object. */
    public static ObjectNode ofParams(JsonNode params) {
        JsonNode responses = params.get("inputResponses");
        if (responses == null) {
            return null;
        }
        if (!(responses instanceof ObjectNode object)) {
            throw McpError.invalidParams("inputResponses must be an object mapping input keys to results");
        }
        object.fields().forEachRemaining(e -> {
            if (!e.getValue().isObject()) {
                throw McpError.invalidParams("inputResponses." + e.getKey() + " must be a result object");
            }
        });
        return object;
    }

    /** @throws McpError -32602 when {@code answer} is not a valid result of {@code method} */
    public static void check(String key, String method, JsonNode answer) {
        boolean valid = switch (method) {
            case "elicitation/create" -> answer.isObject() && ELICIT_ACTIONS.contains(answer.path("action").asText());
            case "sampling/createMessage" -> answer.isObject() && answer.has("role") && answer.has("content");
            case "roots/list" -> answer.isObject() && answer.path("roots").isArray();
            default -> answer.isObject();
        };
        if (!valid) {
            throw McpError.invalidParams("inputResponses." + key + " is not a valid " + method + " result");
        }
    }
}
