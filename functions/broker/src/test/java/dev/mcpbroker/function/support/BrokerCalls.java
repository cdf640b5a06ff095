package dev.mcpbroker.function.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.broker.BrokerRequest;
import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.identity.AgentIdentity;
import java.nio.charset.StandardCharsets;

/** MCP messages as an agent sends them to an {@link InProcessBroker}. */
public final class BrokerCalls {

    public static final String VERSION = "2025-11-25";

    private final McpBroker broker;
    private final AgentIdentity agent;
    private final String serverId;

    public BrokerCalls(McpBroker broker, AgentIdentity agent, String serverId) {
        this.broker = broker;
        this.agent = agent;
        this.serverId = serverId;
    }

    /** Opens a session; returns its id. */
    public String initialize() {
        return initialize(VERSION, null);
    }

    public String initialize(String protocolVersion, String taskId) {
        BrokerResponse response = broker.post(new BrokerRequest(agent, serverId, null, null, null, taskId, bytes("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
                 "capabilities":{},"clientInfo":{"name":"test-agent","version":"1"}}}""".formatted(protocolVersion))));
        String session = response.headers().get("Mcp-Session-Id");
        if (session == null) {
            throw new IllegalStateException("initialize opened no session: " + response.body().orElse(null));
        }
        return session;
    }

    public BrokerResponse initializeResponse(String protocolVersion) {
        return broker.post(new BrokerRequest(agent, serverId, null, null, null, null, bytes("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
                 "capabilities":{},"clientInfo":{"name":"test-agent","version":"1"}}}""".formatted(protocolVersion))));
    }

    public ObjectNode ping(String session) {
        return post(session, null, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
    }

    public ObjectNode toolsList(String session) {
        return post(session, null, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    }

    public ObjectNode call(String session, String tool, String argumentsJson, String idempotencyKey) {
        return post(session, idempotencyKey, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":" + argumentsJson + "}}");
    }

    public void delete(String session) {
        broker.delete(agent, serverId, session, VERSION);
    }

    public ObjectNode post(String session, String idempotencyKey, String json) {
        return broker.post(new BrokerRequest(agent, serverId, session, VERSION, idempotencyKey, null, bytes(json)))
                .body().orElseThrow();
    }

    /** The broker error a call raised, or null when it succeeded. */
    public static BrokerException failureOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (BrokerException e) {
            return e;
        }
    }

    public static String text(JsonNode response) {
        return response.path("result").path("content").path(0).path("text").asText();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
