package dev.mcpbroker.conformance.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.json.Json;

/**
 * Something a handler needs from the client: an elicitation, a sampling or a roots listing. A legacy session sends
 * it as a server-to-client request on the response stream; a 2026-07-28 request gets it back as an entry of an
 * {@code input_required} result (MRTR).
 */
public record InputRequest(String method, ObjectNode params, String capability) {

    public static InputRequest elicitation(String message, ObjectNode requestedSchema) {
        return new InputRequest("elicitation/create",
                Json.object("message", message, "requestedSchema", requestedSchema), "elicitation");
    }

    public static InputRequest sampling(String prompt, int maxTokens) {
        ObjectNode message = Json.object("role", "user", "content", Json.object("type", "text", "text", prompt));
        return new InputRequest("sampling/createMessage",
                Json.object("messages", Json.array(message), "maxTokens", maxTokens), "sampling");
    }

    public static InputRequest roots() {
        return new InputRequest("roots/list", Json.object(), "roots");
    }
}
