package dev.mcpbroker.core.telemetry;

import java.net.URI;

/**
 * Traces each exchange with an upstream: one per HTTP request the broker sends, so a request that was
 * sent again (a refreshed credential, a re-opened session) shows as several. The exchange is part of
 * whatever request the broker is serving at the time.
 */
public interface UpstreamTracing {

    /**
     * Begins the trace of one exchange.
     *
     * @param serverId the registered upstream
     * @param endpoint its Streamable HTTP endpoint
     * @param method   the JSON-RPC method sent, or null when the exchange ends the upstream session
     * @param tool     the tool of a {@code tools/call}, else null
     */
    UpstreamTrace begin(String serverId, URI endpoint, String method, String tool);

    /** For callers that trace nothing. */
    UpstreamTracing NONE = (serverId, endpoint, method, tool) -> UpstreamTrace.NONE;
}
