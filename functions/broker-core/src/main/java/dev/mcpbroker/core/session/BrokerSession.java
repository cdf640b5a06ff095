package dev.mcpbroker.core.session;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One agent-facing MCP session as the broker keeps it. Everything a broker instance needs to serve the
 * session lives here, so any instance can serve any request.
 *
 * @param sessionId         the id the broker minted and the agent presents ({@code Mcp-Session-Id})
 * @param owner             the identity that opened the session; only it may use the session
 * @param serverId          the upstream server this session is bound to
 * @param upstreamSessionId the upstream's own session id, or null when the upstream runs without sessions
 * @param protocolVersion   the protocol version negotiated with the upstream on initialize
 * @param initializeParams  the agent's initialize params (client info and capabilities) as JSON, kept to
 *                          re-open the upstream session on the agent's behalf
 * @param state             whether the session may still be used
 * @param createdAt         when the session was opened
 * @param expiresAt         absolute end of life; also the table's TTL attribute
 * @param version           optimistic-locking counter, incremented on every change
 */
public record BrokerSession(
        String sessionId,
        SessionOwner owner,
        String serverId,
        String upstreamSessionId,
        String protocolVersion,
        String initializeParams,
        State state,
        Instant createdAt,
        Instant expiresAt,
        long version) {

    public enum State { ACTIVE, ENDED }

    public BrokerSession {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(initializeParams, "initializeParams");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public Optional<String> upstreamSession() {
        return Optional.ofNullable(upstreamSessionId);
    }

    /** Whether {@code candidate} is the identity (agent and tenant) that opened this session. */
    public boolean isOwnedBy(SessionOwner candidate) {
        return owner.equals(candidate);
    }

    /** Usable now: not ended and not past its lifetime (TTL deletion lags, so expiry is checked on read). */
    public boolean isLiveAt(Instant now) {
        return state == State.ACTIVE && now.isBefore(expiresAt);
    }

    public BrokerSession ended() {
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                State.ENDED, createdAt, expiresAt, version + 1);
    }

    /** Session ids are bearer-like values: never print them whole. */
    @Override
    public String toString() {
        return "BrokerSession[" + SessionIds.redact(sessionId) + ", agent=" + owner.agentId() + ", server=" + serverId + ", state=" + state
                + ", protocol=" + protocolVersion + ", version=" + version + "]";
    }
}
