package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.HeaderValues;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessMessages;
import java.util.Objects;
import java.util.Optional;

/**
 * The checks MCP 2026-07-28 puts on every stateless message before anything else looks at it: its version is one
 * the broker speaks and the {@code MCP-Protocol-Version} header says the same, {@code Mcp-Method} (and for a
 * tool call, resource read, prompt or task, {@code Mcp-Name}) mirrors the body, and a request declares its client
 * capabilities. A broker that routes and governs by these headers must not trust one the body contradicts.
 */
final class StatelessEdge {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private StatelessEdge() {
    }

    static void check(BrokerRequest request, JsonRpcMessage message) {
        String version = StatelessMessages.version(message).orElseThrow(() -> new BrokerException(ErrorCode.MISSING_FIELD,
                "params._meta[\"" + McpMeta.PROTOCOL_VERSION + "\"] must be a string"));
        // the header is compared first: a body that names another version than the header is a mismatch, whatever
        // either names
        same(McpHeaders.PROTOCOL_VERSION, request.protocolVersion(), version);
        if (!ProtocolVersions.isModern(version)) {
            ObjectNode data = JSON.objectNode().put("requested", version);
            // what server/discover lists: the versions this endpoint serves statelessly
            ProtocolVersions.MODERN.forEach(data.putArray("supported")::add);
            throw new BrokerException(ErrorCode.UNSUPPORTED_VERSION, "unsupported protocol version").withData(data);
        }
        String method = switch (message) {
            case JsonRpcMessage.Request r -> r.method();
            case JsonRpcMessage.Notification n -> n.method();
            case JsonRpcMessage.Response r -> throw new IllegalStateException("responses are not stateless messages");
        };
        same(McpHeaders.MCP_METHOD, request.transport().mcpMethod(), method);
        if (message instanceof JsonRpcMessage.Request r) {
            Optional<String> name = StatelessMessages.nameOf(method, r.params());
            if (name.isPresent()) {
                String header = request.transport().mcpName() == null ? null : HeaderValues.decode(request.transport().mcpName());
                same(McpHeaders.MCP_NAME, header, name.get());
            }
            if (StatelessMessages.clientCapabilities(message).isEmpty()) {
                throw new BrokerException(ErrorCode.MISSING_FIELD,
                        "params._meta[\"" + McpMeta.CLIENT_CAPABILITIES + "\"] must be an object");
            }
        }
    }

    private static void same(String header, String value, String body) {
        if (value == null) {
            throw new BrokerException(ErrorCode.HEADER_MISMATCH, "Header mismatch: the " + header + " header is required");
        }
        if (!Objects.equals(value, body)) {
            throw new BrokerException(ErrorCode.HEADER_MISMATCH, "Header mismatch: the " + header
                    + " header does not match the body");
        }
    }
}
