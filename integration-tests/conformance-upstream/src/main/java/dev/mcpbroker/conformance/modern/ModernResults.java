package dev.mcpbroker.conformance.modern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.dispatch.InputRequest;
import dev.mcpbroker.conformance.dispatch.ServerIdentity;
import dev.mcpbroker.conformance.json.Json;

import java.util.Map;
import java.util.Set;

/**
 * What every 2026-07-28 result carries: {@code resultType}, {@code _meta.serverInfo}, and on cacheable results
 * {@code ttlMs} and {@code cacheScope} (results of MRTR retries are marked uncacheable).
 */
final class ModernResults {

    static final Set<String> CACHEABLE = Set.of("server/discover", "tools/list", "prompts/list", "resources/list",
            "resources/templates/list", "resources/read");
    static final long LIST_TTL_MS = 10_000;
    static final long DISCOVER_TTL_MS = 60_000;

    private ModernResults() {
    }

    static ObjectNode complete(String method, ObjectNode result, boolean mrtrRetry) {
        result.put("resultType", "complete");
        if (CACHEABLE.contains(method)) {
            if (mrtrRetry) {
                result.put("ttlMs", 0);
                result.put("cacheScope", "private");
            } else {
                result.put("ttlMs", method.equals("server/discover") ? DISCOVER_TTL_MS : LIST_TTL_MS);
                result.put("cacheScope", "public");
            }
        }
        return withServerInfo(result);
    }

    /** An {@code input_required} result asking for {@code missing}, with the signed state of the answers so far. */
    static ObjectNode inputRequired(Map<String, InputRequest> missing, String requestState) {
        ObjectNode requests = Json.object();
        missing.forEach((key, request) -> {
            ObjectNode params = request.params().deepCopy();
            if (request.method().equals("elicitation/create")) {
                params.put("mode", "form");
            }
            requests.set(key, Json.object("method", request.method(), "params", params));
        });
        ObjectNode result = Json.object("resultType", "input_required", "inputRequests", requests,
                "requestState", requestState);
        return withServerInfo(result);
    }

    private static ObjectNode withServerInfo(ObjectNode result) {
        ObjectNode meta = Json.objectAt(result, "_meta");
        if (meta == null) {
            meta = Json.object();
            result.set("_meta", meta);
        }
        meta.set("io.modelcontextprotocol/serverInfo", ServerIdentity.serverInfo());
        return result;
    }
}
