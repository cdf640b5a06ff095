package dev.mcpbroker.conformance.legacy;

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
import dev.mcpbroker.conformance.mrtr.InputResponses;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A request on a legacy session: notifications and server-to-client requests go on this request's response stream,
 * and the client's answers arrive as separate POSTs that the session hands over.
 */
final class LegacyCallContext implements CallContext {

    static final Duration CLIENT_ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private final LegacySession session;
    private final ResponseChannel channel;
    private final JsonNode progressToken;

    LegacyCallContext(LegacySession session, ResponseChannel channel, JsonNode progressToken) {
        this.session = session;
        this.channel = channel;
        this.progressToken = progressToken;
    }

    @Override
    public Generation generation() {
        return Generation.LEGACY;
    }

    @Override
    public boolean declares(String capability) {
        return session.declares(capability);
    }

    @Override
    public void requireCapability(String capability) {
        if (!declares(capability)) {
            throw McpError.invalidRequest("The client did not declare the " + capability + " capability at initialize");
        }
    }

    @Override
    public void progress(double progress, double total, String message) {
        if (progressToken == null) {
            return;
        }
        ObjectNode params = Json.object("progress", progress, "total", total, "message", message);
        params.set("progressToken", progressToken);
        channel.emit(JsonRpcMessage.notification("notifications/progress", params));
    }

    @Override
    public void log(String level, String message) {
        String threshold = session.logLevel();
        if (threshold == null || LogLevels.passes(level, threshold)) {
            channel.emit(JsonRpcMessage.notification("notifications/message",
                    Json.object("level", level, "logger", "conformance-upstream", "data", message)));
        }
    }

    @Override
    public Map<String, JsonNode> inputs(SequencedMap<String, InputRequest> requests) {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        for (Map.Entry<String, InputRequest> entry : requests.entrySet()) {
            InputRequest request = entry.getValue();
            requireCapability(request.capability());
            answers.put(entry.getKey(), ask(entry.getKey(), request));
        }
        return answers;
    }

    @Override
    public boolean resumedFromRequestState() {
        return true;
    }

    private JsonNode ask(String key, InputRequest request) {
        Map.Entry<JsonNode, CompletableFuture<ObjectNode>> expected = session.expectResponse();
        try {
            channel.emit(JsonRpcMessage.request(expected.getKey(), request.method(), request.params().deepCopy()));
            ObjectNode response = expected.getValue().get(CLIENT_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (response.has("error")) {
                throw new McpError(McpError.INTERNAL_ERROR, "The client answered " + request.method()
                        + " with an error: " + response.get("error"));
            }
            JsonNode result = response.path("result");
            InputResponses.check(key, request.method(), result);
            return result;
        } catch (TimeoutException e) {
            throw new McpError(McpError.INTERNAL_ERROR, "The client did not answer " + request.method() + " within "
                    + CLIENT_ANSWER_TIMEOUT.toSeconds() + " s");
        } catch (CancellationException | ExecutionException e) {
            throw new McpError(McpError.INTERNAL_ERROR, "The session ended before the client answered");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpError(McpError.INTERNAL_ERROR, "The server is stopping");
        } finally {
            session.forget(expected.getKey());
        }
    }
}
