package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * What an upstream answered to one POST.
 *
 * @param status            HTTP status
 * @param upstreamSessionId the {@code Mcp-Session-Id} it returned, if any
 * @param response          the JSON-RPC response to the request, absent for notifications and responses
 * @param relayed           messages the upstream sent before its response (progress, logging), in order
 * @param setCookies        its {@code Set-Cookie} header values, for the session's {@link UpstreamAffinity}
 */
public record UpstreamReply(int status, Optional<String> upstreamSessionId, Optional<ObjectNode> response,
                            List<ObjectNode> relayed, List<String> setCookies) {

    public UpstreamReply {
        relayed = List.copyOf(relayed);
        setCookies = List.copyOf(setCookies);
    }

    public UpstreamReply(int status, Optional<String> upstreamSessionId, Optional<ObjectNode> response,
                         List<ObjectNode> relayed) {
        this(status, upstreamSessionId, response, relayed, List.of());
    }

    @Override
    public String toString() {
        return "UpstreamReply[status=" + status + ", response=" + response.isPresent() + ", relayed=" + relayed.size() + "]";
    }
}
