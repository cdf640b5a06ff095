package dev.mcpbroker.core.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import java.util.Optional;

/** What tells a 2026-07-28 (stateless) message apart, and what its headers must mirror of it. */
public final class StatelessMessages {

    private StatelessMessages() {
    }

    /**
     * Whether a message is served statelessly, by the versioning rules of 2026-07-28: a message outside any session
     * whose {@code MCP-Protocol-Version} header names no legacy revision, or that carries the per-request protocol
     * version in {@code params._meta}. An {@code initialize} is legacy unless the header names a newer revision (a
     * legacy client may well put trace context in its {@code _meta}).
     *
     * @param sessionId     the {@code Mcp-Session-Id} header, or null
     * @param versionHeader the {@code MCP-Protocol-Version} header, or null
     */
    public static boolean isStateless(JsonRpcMessage message, String sessionId, String versionHeader) {
        if (message instanceof JsonRpcMessage.Response || (sessionId != null && !sessionId.isEmpty())) {
            return false;
        }
        boolean newerHeader = versionHeader != null && !versionHeader.isBlank() && !ProtocolVersions.isSupported(versionHeader);
        if (message instanceof JsonRpcMessage.Request request && McpMethods.INITIALIZE.equals(request.method())) {
            return newerHeader;
        }
        return newerHeader || metaOf(message.json()).has(McpMeta.PROTOCOL_VERSION);
    }

    /** The protocol version a stateless message names in {@code _meta}. */
    public static Optional<String> version(JsonRpcMessage message) {
        JsonNode version = metaOf(message.json()).get(McpMeta.PROTOCOL_VERSION);
        return version != null && version.isTextual() ? Optional.of(version.asText()) : Optional.empty();
    }

    /** The client capabilities a stateless request declares; empty when it declares none (malformed). */
    public static Optional<ObjectNode> clientCapabilities(JsonRpcMessage message) {
        return metaOf(message.json()).get(McpMeta.CLIENT_CAPABILITIES) instanceof ObjectNode capabilities
                ? Optional.of(capabilities) : Optional.empty();
    }

    /**
     * What {@code Mcp-Name} must say for {@code method}: the tool of {@code tools/call}, the URI of
     * {@code resources/read}, the prompt of {@code prompts/get}, the task of a task request; empty for any other.
     */
    public static Optional<String> nameOf(String method, ObjectNode params) {
        String field = switch (method) {
            case McpMethods.TOOLS_CALL, McpMethods.PROMPTS_GET -> "name";
            case McpMethods.RESOURCES_READ -> "uri";
            case McpMethods.TASKS_GET, McpMethods.TASKS_UPDATE, McpMethods.TASKS_CANCEL -> "taskId";
            default -> null;
        };
        if (field == null) {
            return Optional.empty();
        }
        JsonNode value = params.path(field);
        return Optional.of(value.isTextual() ? value.asText() : "");
    }

    private static JsonNode metaOf(ObjectNode message) {
        return message.path(JsonRpc.PARAMS).path(McpMeta.META);
    }
}
