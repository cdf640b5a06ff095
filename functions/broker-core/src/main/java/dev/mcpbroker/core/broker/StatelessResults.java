package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.idempotency.UpstreamKeys;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethods;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Results as a stateless (2026-07-28) agent gets them, whichever generation the upstream speaks: every result says
 * its {@code resultType}; list and discovery results say how long they may be cached, and only by this caller
 * ({@code private}: the broker narrowed them to the caller's grants); and an upstream's {@code requestState} of a
 * multi round-trip request leaves sealed to the caller, so another identity cannot replay it.
 */
final class StatelessResults {

    /** Methods whose results 2026-07-28 makes cacheable ({@code ttlMs}, {@code cacheScope}). */
    static final Set<String> CACHEABLE = Set.of(McpMethods.SERVER_DISCOVER, McpMethods.TOOLS_LIST, McpMethods.PROMPTS_LIST,
            McpMethods.RESOURCES_LIST, McpMethods.RESOURCES_TEMPLATES_LIST, McpMethods.RESOURCES_READ);
    private static final Set<String> LISTS = Set.of(McpMethods.TOOLS_LIST, McpMethods.PROMPTS_LIST,
            McpMethods.RESOURCES_LIST, McpMethods.RESOURCES_TEMPLATES_LIST);

    private final UpstreamKeys keys;
    private final Duration listTtl;

    /** @param listTtl how long a narrowed list may be cached: no longer than a grant change takes to apply */
    StatelessResults(UpstreamKeys keys, Duration listTtl) {
        this.keys = Objects.requireNonNull(keys);
        this.listTtl = Objects.requireNonNull(listTtl);
    }

    /** The upstream's {@code requestState} a retry carries back, unsealed for the upstream; refused if not the caller's. */
    ObjectNode unsealRequestState(Exchange exchange, ObjectNode message) {
        JsonNode sealed = message.path(JsonRpc.PARAMS).path(McpMeta.REQUEST_STATE);
        if (!sealed.isTextual()) {
            return message;
        }
        String state = keys.open(context(exchange), sealed.asText()).orElseThrow(() -> new BrokerException(
                ErrorCode.INVALID_PARAMS, "params.requestState was not issued to this caller for this request"));
        ObjectNode copy = message.deepCopy();
        ((ObjectNode) copy.get(JsonRpc.PARAMS)).put(McpMeta.REQUEST_STATE, state);
        return copy;
    }

    /** The answer as a stateless agent gets it. */
    ObjectNode shape(Exchange exchange, ObjectNode response) {
        if (!(response.get(JsonRpc.RESULT) instanceof ObjectNode result)) {
            return response;
        }
        if (!result.has(McpMeta.RESULT_TYPE)) {
            result.put(McpMeta.RESULT_TYPE, McpMeta.COMPLETE);
        }
        String method = exchange.method().name();
        if (CACHEABLE.contains(method)) {
            if (!result.has(McpMeta.TTL_MS) || LISTS.contains(method)) {
                long upstreamTtl = result.path(McpMeta.TTL_MS).asLong(listTtl.toMillis());
                result.put(McpMeta.TTL_MS, Math.max(0, Math.min(upstreamTtl, listTtl.toMillis())));
            }
            // narrowed to this caller's grants: never to be shared with another
            result.put(McpMeta.CACHE_SCOPE, "private");
        }
        if (McpMeta.INPUT_REQUIRED.equals(result.path(McpMeta.RESULT_TYPE).asText())
                && result.path(McpMeta.REQUEST_STATE).isTextual()) {
            result.put(McpMeta.REQUEST_STATE, keys.seal(context(exchange), result.path(McpMeta.REQUEST_STATE).asText()));
        }
        return response;
    }

    /** Who a sealed state belongs to: the identity, the server and the method it was issued for. */
    private static String context(Exchange exchange) {
        return String.join("\n", exchange.owner().tenantId(), exchange.owner().agentId(),
                String.valueOf(exchange.identity().onBehalfOf()), exchange.server().id(), exchange.method().name());
    }
}
