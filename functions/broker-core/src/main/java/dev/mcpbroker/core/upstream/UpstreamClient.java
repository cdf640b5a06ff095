package dev.mcpbroker.core.upstream;

/** Speaks MCP Streamable HTTP to upstream servers. */
public interface UpstreamClient {

    /**
     * POSTs one message and reads the answer through to the final JSON-RPC response.
     *
     * @throws UpstreamException when the exchange fails, classified by what the upstream may have done
     */
    UpstreamReply send(UpstreamServer server, UpstreamCall call);

    /**
     * Ends the upstream session (HTTP DELETE). Best effort: the upstream may already have ended it.
     *
     * @param headers extra headers (the upstream's credential)
     */
    void terminate(UpstreamServer server, String upstreamSessionId, String protocolVersion, java.util.Map<String, String> headers);
}
