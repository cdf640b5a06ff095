package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequest;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestCustomizer;
import io.modelcontextprotocol.modern.client.transport.McpHttpRequestHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sees every HTTP request the 2026-07-28 client sends (after the transport set its headers), adds the agent's
 * token and, for a named tool, an {@code Idempotency-Key}.
 */
final class ModernClientWire implements McpHttpRequestCustomizer.Sync {

    private static final String MODERN_VERSION = "2026-07-28";

    record Sent(String mcpMethod, List<String> versionHeader, List<String> methodHeader, List<String> sessionHeader,
                String body) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final String authorization;
    private final Map<String, String> idempotencyKeys = new ConcurrentHashMap<>();

    ModernClientWire(String authorization) {
        this.authorization = authorization;
    }

    void idempotencyKeyFor(String tool, String key) {
        if (key == null) {
            idempotencyKeys.remove(tool);
        } else {
            idempotencyKeys.put(tool, key);
        }
    }

    @Override
    public void customize(McpHttpRequest request, McpHttpRequestHeaders headers, McpTransportContext context) {
        headers.set("Authorization", authorization);
        if ("tools/call".equals(request.mcpMethod()) && request.mcpName() != null
                && idempotencyKeys.containsKey(request.mcpName())) {
            headers.set("Idempotency-Key", idempotencyKeys.get(request.mcpName()));
        }
        sent.add(new Sent(request.mcpMethod(), headers.get("MCP-Protocol-Version"), headers.get("Mcp-Method"),
                headers.get("Mcp-Session-Id"), request.body()));
    }

    /** What the client speaks: 2026-07-28 on every request, in the headers and in _meta; no initialize, no session. */
    void assertEverythingWasSentStateless() {
        assertThat(sent).isNotEmpty().allSatisfy(request -> {
            assertThat(request.mcpMethod()).isNotEqualTo("initialize");
            assertThat(request.versionHeader()).containsExactly(MODERN_VERSION);
            assertThat(request.methodHeader()).containsExactly(request.mcpMethod());
            assertThat(request.sessionHeader()).isEmpty();
            JsonNode meta = json(request.body()).path("params").path("_meta");
            assertThat(meta.path("io.modelcontextprotocol/protocolVersion").asText()).isEqualTo(MODERN_VERSION);
            assertThat(meta.path("io.modelcontextprotocol/clientCapabilities").isObject()).isTrue();
        });
    }

    private static JsonNode json(String body) {
        try {
            return RawMcp.JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
