package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.dispatch.CallContext;
import dev.mcpbroker.conformance.dispatch.InputRequest;
import dev.mcpbroker.conformance.dispatch.LogLevels;
import dev.mcpbroker.conformance.era.Generation;
import dev.mcpbroker.conformance.http.ResponseChannel;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.JsonRpcMessage;
import dev.mcpbroker.conformance.json.McpError;
import dev.mcpbroker.conformance.mrtr.InputRequired;
import dev.mcpbroker.conformance.mrtr.InputResponses;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A 2026-07-28 request: capabilities, log level and progress token come from its own {@code _meta} (never from an
 * earlier request); answers come from its {@code inputResponses} or from the verified {@code requestState}, and a
 * handler missing some ends the request with {@link InputRequired}.
 */
final class ModernCallContext implements CallContext {

    private final RequestMeta meta;
    private final ResponseChannel channel;
    private final Map<String, JsonNode> carried;
    private final ObjectNode inputResponses;
    private final boolean resumed;
    /** Every answer handed to the handler so far: what the next round's requestState must carry. */
    private final Map<String, JsonNode> consumed = new LinkedHashMap<>();

    ModernCallContext(RequestMeta meta, ResponseChannel channel, Map<String, JsonNode> carried,
            ObjectNode inputResponses, boolean resumed) {
        this.meta = meta;
        this.channel = channel;
        this.carried = carried;
        this.inputResponses = inputResponses;
        this.resumed = resumed;
    }

    @Override
    public Generation generation() {
        return Generation.MODERN;
    }

    @Override
    public boolean declares(String capability) {
        return meta.clientCapabilities().has(capability);
    }

    @Override
    public void requireCapability(String capability) {
        if (!declares(capability)) {
            throw McpError.missingCapability(capability);
        }
    }

    @Override
    public void progress(double progress, double total, String message) {
        if (meta.progressToken() == null) {
            return;
        }
        ObjectNode params = Json.object("progress", progress, "total", total, "message", message);
        params.set("progressToken", meta.progressToken());
        channel.emit(JsonRpcMessage.notification("notifications/progress", params));
    }

    @Override
    public void log(String level, String message) {
        if (meta.logLevel() != null && LogLevels.passes(level, meta.logLevel())) {
            channel.emit(JsonRpcMessage.notification("notifications/message",
                    Json.object("level", level, "logger", "conformance-upstream", "data", message)));
        }
    }

    @Override
    public Map<String, JsonNode> inputs(SequencedMap<String, InputRequest> requests) {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        SequencedMap<String, InputRequest> missing = new LinkedHashMap<>();
        for (Map.Entry<String, InputRequest> entry : requests.entrySet()) {
            String key = entry.getKey();
            InputRequest request = entry.getValue();
            requireCapability(request.capability());
            JsonNode answer = inputResponses != null && inputResponses.has(key) ? inputResponses.get(key)
                    : carried.get(key);
            if (answer == null) {
                missing.put(key, request);
                continue;
            }
            InputResponses.check(key, request.method(), answer);
            answers.put(key, answer);
            consumed.put(key, answer);
        }
        if (!missing.isEmpty()) {
            throw new InputRequired(missing, Map.copyOf(consumed));
        }
        return answers;
    }

    @Override
    public boolean resumedFromRequestState() {
        return resumed;
    }
}
