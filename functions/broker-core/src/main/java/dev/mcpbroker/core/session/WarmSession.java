package dev.mcpbroker.core.session;

import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Instant;
import java.util.Objects;

/**
 * An upstream session opened ahead of demand, waiting in its server's warm pool for an agent's
 * initialize. It was opened with the broker's own client profile: the broker relays no server-to-client
 * requests, so the capabilities an agent declares change nothing the upstream may do through it.
 *
 * @param serverId          the upstream server
 * @param entryId           the pool entry's id (unique within the server's pool)
 * @param upstreamSessionId the upstream's session id (null for an upstream without sessions)
 * @param requestedVersion  the protocol version the broker asked for; only an agent asking for the same
 *                          one may take this session
 * @param protocolVersion   the version the upstream negotiated
 * @param initializeParams  the params the session was opened with, to re-open it if the upstream loses it
 * @param initializeResult  the upstream's initialize result (server info, capabilities, instructions),
 *                          answered to the agent as if its own initialize had produced it
 * @param affinity          cookies the upstream set
 * @param createdAt         when it was opened
 * @param expiresAt         after this it is discarded rather than handed out: upstreams end idle sessions
 */
public record WarmSession(String serverId, String entryId, String upstreamSessionId, String requestedVersion,
                          String protocolVersion, String initializeParams, String initializeResult,
                          UpstreamAffinity affinity, Instant createdAt, Instant expiresAt) {

    public WarmSession {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(requestedVersion, "requestedVersion");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(initializeParams, "initializeParams");
        Objects.requireNonNull(initializeResult, "initializeResult");
        Objects.requireNonNull(affinity, "affinity");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isFreshAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "WarmSession[" + serverId + "/" + entryId + ", protocol=" + protocolVersion + ", expiresAt=" + expiresAt + "]";
    }
}
