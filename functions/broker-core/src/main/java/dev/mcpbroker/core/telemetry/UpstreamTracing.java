package dev.mcpbroker.core.telemetry;

import dev.mcpbroker.core.upstream.UpstreamServer;

/**
 * Traces each exchange with an upstream: one per HTTP request the broker sends, so a request that was
 * sent again (a refreshed credential, a re-opened session) shows as several. The exchange is part of
 * whatever request the broker is serving at the time.
 */
public interface UpstreamTracing {

    /**
     * Begins the trace of one exchange.
     *
     * @param method the JSON-RPC method sent, or null when the exchange ends the upstream session
     * @param tool   the tool of a {@code tools/call}, else null
     */
    UpstreamTrace begin(UpstreamServer server, String method, String tool);

    /** For callers that trace nothing. */
    UpstreamTracing NONE = (server, method, tool) -> UpstreamTrace.NONE;
}
