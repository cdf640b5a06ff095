package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamException;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A 2026-07-28 MCP server behind the {@link UpstreamClient} port: no sessions, {@code server/discover}, a read-only
 * tool, a counted state-changing one, and {@code confirm_transfer}, a multi round-trip request that asks for a
 * confirmation first and runs only when the retry carries the answer and the {@code requestState} it issued. A
 * request without the per-request {@code _meta} of the generation is refused, as a stateless server refuses it.
 */
final class InMemoryStatelessUpstream implements UpstreamClient {

    static final String ISSUED_STATE = "upstream-state-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<UpstreamCall> calls = new ArrayList<>();
    private final AtomicInteger transfers = new AtomicInteger();

    synchronized List<UpstreamCall> calls() {
        return List.copyOf(calls);
    }

    int transfers() {
        return transfers.get();
    }

    /** Definitions that replace (by name) or join the tools it lists, as an upstream that changed a tool. */
    private final java.util.Map<String, ObjectNode> redefined = new java.util.LinkedHashMap<>();

    /** From now on it lists {@code definition} in place of the tool of that name (or as a new tool). */
    synchronized void redefineTool(ObjectNode definition) {
        redefined.put(definition.path("name").asText(), definition.deepCopy());
    }

    private synchronized void applyRedefinitions(com.fasterxml.jackson.databind.node.ArrayNode tools) {
        redefined.forEach((name, definition) -> {
            for (int i = 0; i < tools.size(); i++) {
                if (tools.get(i).path("name").asText().equals(name)) {
                    tools.set(i, definition.deepCopy());
                    return;
                }
            }
            tools.add(definition.deepCopy());
        });
    }

    @Override
    public UpstreamReply send(UpstreamServer server, UpstreamCall call) {
        ObjectNode message = call.message();
        synchronized (this) {
            calls.add(call);
        }
        if (call.upstreamSessionId() != null || !message.path("params").path(McpMeta.META).has(McpMeta.PROTOCOL_VERSION)
                || !call.headers().containsKey(McpHeaders.MCP_METHOD)) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 400, "not a stateless request", null, null);
        }
        if (!message.has("id")) {
            return new UpstreamReply(202, Optional.empty(), Optional.empty(), List.of(), List.of());
        }
        ObjectNode result = JSON.createObjectNode();
        List<ObjectNode> notifications = new ArrayList<>();
        String method = message.path("method").asText();
        switch (method) {
            case "server/discover" -> {
                result.putArray("supportedVersions").add("2026-07-28");
                result.putObject("capabilities").putObject("tools");
                result.with("capabilities").putObject("resources").put("subscribe", true).put("listChanged", true);
                result.with("capabilities").putObject("logging");
                result.put("instructions", "ledger of record");
                result.putObject(McpMeta.META).putObject(McpMeta.SERVER_INFO).put("name", "ledger").put("version", "2");
            }
            case "tools/list" -> {
                var tools = result.putArray("tools");
                tools.addObject().put("name", "get_balance").putObject("annotations").put("readOnlyHint", true);
                tools.addObject().put("name", "transfer");
                tools.addObject().put("name", "confirm_transfer");
                applyRedefinitions(tools);
                result.put(McpMeta.TTL_MS, 3_600_000).put(McpMeta.CACHE_SCOPE, "public");
            }
            case "tools/call" -> call(message.with("params"), result, notifications);
            default -> {
                ObjectNode error = JSON.createObjectNode().put("jsonrpc", "2.0");
                error.set("id", message.get("id"));
                error.putObject("error").put("code", -32601).put("message", "method not found");
                return new UpstreamReply(404, Optional.empty(), Optional.of(error), List.of(), List.of());
            }
        }
        result.put(McpMeta.RESULT_TYPE, result.path(McpMeta.RESULT_TYPE).asText(McpMeta.COMPLETE));
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", message.get("id"));
        response.set("result", result);
        return new UpstreamReply(200, Optional.empty(), Optional.of(response), notifications, List.of());
    }

    private void call(ObjectNode params, ObjectNode result, List<ObjectNode> notifications) {
        String tool = params.path("name").asText();
        ObjectNode progress = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/progress");
        progress.putObject("params").put("progressToken", "p").put("progress", 1);
        notifications.add(progress);
        switch (tool) {
            case "transfer" -> result.putArray("content").addObject().put("type", "text")
                    .put("text", "transfer #" + transfers.incrementAndGet());
            case "confirm_transfer" -> {
                if (!ISSUED_STATE.equals(params.path(McpMeta.REQUEST_STATE).asText())
                        || !params.path("inputResponses").path("confirm").path("action").asText().equals("accept")) {
                    result.put(McpMeta.RESULT_TYPE, McpMeta.INPUT_REQUIRED);
                    result.putObject("inputRequests").putObject("confirm").put("method", "elicitation/create")
                            .putObject("params").put("message", "Transfer 10?");
                    result.put(McpMeta.REQUEST_STATE, ISSUED_STATE);
                    return;
                }
                result.putArray("content").addObject().put("type", "text")
                        .put("text", "confirmed transfer #" + transfers.incrementAndGet());
            }
            case "announce_change" -> {
                notifications.add(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/tools/list_changed"));
                result.putArray("content").addObject().put("type", "text").put("text", "changed");
            }
            default -> result.putArray("content").addObject().put("type", "text").put("text", "balance 100");
        }
    }

    @Override
    public void terminate(UpstreamServer server, String upstreamSessionId, String protocolVersion, Map<String, String> headers) {
        throw new AssertionError("a stateless upstream has no sessions to end");
    }
}
