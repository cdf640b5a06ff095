package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.upstream.UpstreamReply;
import java.util.List;
import java.util.Map;

/**
 * Where a request's messages go upstream, and how: in an upstream session ({@link BoundSession}, for a broker session
 * or a session the broker holds for stateless agents) or as stateless requests ({@link StatelessBinding}). The
 * stages above never care which.
 */
interface UpstreamBinding {

    /** The key the request's audit events are chained under: its broker session, or the request itself. */
    String chainKey();

    /**
     * Sends one message; when the upstream lost its session, it is sent again only if {@code safeToRepeat}.
     *
     * @param headers extra headers for the upstream
     */
    UpstreamReply send(ObjectNode message, Map<String, String> headers, boolean safeToRepeat);

    /** Sends a request and returns the upstream's JSON-RPC response to it. */
    ObjectNode request(ObjectNode message, Map<String, String> headers, boolean safeToRepeat);

    /**
     * The notifications the upstream sent before its answers in this request (progress, log messages), in order: an
     * agent that accepts an event stream gets them before the response.
     */
    List<ObjectNode> notifications();
}
