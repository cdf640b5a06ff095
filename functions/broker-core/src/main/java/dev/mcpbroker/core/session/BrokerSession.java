package dev.mcpbroker.core.session;

import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One agent-facing MCP session as the broker keeps it. Everything a broker instance needs to serve the
 * session lives here, so any instance can serve any request. Changes are written with the version read
 * as their condition, so concurrent requests on one session never lose each other's changes.
 *
 * @param sessionId         the id the broker minted and the agent presents ({@code Mcp-Session-Id})
 * @param owner             the identity that opened the session; only it may use the session
 * @param serverId          the upstream server this session is bound to
 * @param upstreamSessionId the upstream's own session id, or null when the upstream runs without sessions
 * @param protocolVersion   the protocol version negotiated with the upstream on initialize
 * @param initializeParams  the initialize params (client info and capabilities) the upstream session was
 *                          opened with, as JSON, kept to re-open it when the upstream loses it
 * @param affinity          cookies the upstream set, replayed so its load balancer keeps its replica
 * @param state             whether the session may still be used
 * @param createdAt         when the session was opened
 * @param lastSeenAt        when a request last used the session (recorded at most once per touch interval)
 * @param idleExpiresAt     end of life unless used again before it
 * @param expiresAt         absolute end of life, however busy the session is
 * @param slots             the capacity slots this session holds: its server's cap and its tenant's and agent's shares
 * @param taskId            the agent task that opened it, if the agent named one
 * @param version           optimistic-locking counter, incremented on every change
 */
public record BrokerSession(
        String sessionId,
        SessionOwner owner,
        String serverId,
        String upstreamSessionId,
        String protocolVersion,
        String initializeParams,
        UpstreamAffinity affinity,
        State state,
        Instant createdAt,
        Instant lastSeenAt,
        Instant idleExpiresAt,
        Instant expiresAt,
        SessionSlots slots,
        String taskId,
        long version) {

    public enum State { ACTIVE, ENDED }

    public static final int NO_SLOT = SessionSlots.NONE;

    public BrokerSession {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(initializeParams, "initializeParams");
        Objects.requireNonNull(affinity, "affinity");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastSeenAt, "lastSeenAt");
        Objects.requireNonNull(idleExpiresAt, "idleExpiresAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(slots, "slots");
    }

    /** A new, active session at version 1. */
    public static BrokerSession open(String sessionId, SessionOwner owner, String serverId, String upstreamSessionId,
                                     String protocolVersion, String initializeParams, UpstreamAffinity affinity,
                                     Instant now, SessionTimeouts timeouts, SessionSlots slots, String taskId) {
        Instant expiresAt = now.plus(timeouts.lifetime());
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                affinity, State.ACTIVE, now, now, timeouts.idleDeadline(now, expiresAt), expiresAt, slots, taskId, 1);
    }

    /** A new session holding only a slot of its server's cap ({@link #NO_SLOT} for none). */
    public static BrokerSession open(String sessionId, SessionOwner owner, String serverId, String upstreamSessionId,
                                     String protocolVersion, String initializeParams, UpstreamAffinity affinity,
                                     Instant now, SessionTimeouts timeouts, int capacitySlot, String taskId) {
        return open(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams, affinity, now,
                timeouts, SessionSlots.server(capacitySlot), taskId);
    }

    /** The slot of the server's session cap this session holds, or {@link #NO_SLOT}. */
    public int capacitySlot() {
        return slots.server();
    }

    public Optional<String> upstreamSession() {
        return Optional.ofNullable(upstreamSessionId);
    }

    /** Whether it holds any capacity slot (its server's cap, or a share of it). */
    public boolean holdsCapacity() {
        return !slots.equals(SessionSlots.NO_SLOTS);
    }

    /** Whether {@code candidate} is the identity (agent and tenant) that opened this session. */
    public boolean isOwnedBy(SessionOwner candidate) {
        return owner.equals(candidate);
    }

    /** Usable now: not ended, not idle too long, not past its lifetime (TTL deletion lags, so reads check). */
    public boolean isLiveAt(Instant now) {
        return state == State.ACTIVE && now.isBefore(endOfLife());
    }

    /** When the session ends unless used again: the earlier of the idle and the absolute deadline. */
    public Instant endOfLife() {
        return idleExpiresAt.isBefore(expiresAt) ? idleExpiresAt : expiresAt;
    }

    /** Whether a use at {@code now} should be recorded: the last record is older than {@code interval}. */
    public boolean needsTouch(Instant now, Duration interval) {
        return !now.isBefore(lastSeenAt.plus(interval));
    }

    /** Used at {@code now}: the idle deadline moves, the absolute one never does. */
    public BrokerSession touched(Instant now, SessionTimeouts timeouts) {
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                affinity, state, createdAt, now, timeouts.idleDeadline(now, expiresAt), expiresAt, slots, taskId,
                version + 1);
    }

    /** Bound to a new upstream session, after the upstream lost the previous one. */
    public BrokerSession withUpstream(String newUpstreamSessionId, UpstreamAffinity newAffinity) {
        return new BrokerSession(sessionId, owner, serverId, newUpstreamSessionId, protocolVersion, initializeParams,
                newAffinity, state, createdAt, lastSeenAt, idleExpiresAt, expiresAt, slots, taskId, version + 1);
    }

    public BrokerSession withAffinity(UpstreamAffinity newAffinity) {
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                newAffinity, state, createdAt, lastSeenAt, idleExpiresAt, expiresAt, slots, taskId, version + 1);
    }

    public BrokerSession withSlots(SessionSlots newSlots) {
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                affinity, state, createdAt, lastSeenAt, idleExpiresAt, expiresAt, newSlots, taskId, version + 1);
    }

    public BrokerSession ended() {
        return new BrokerSession(sessionId, owner, serverId, upstreamSessionId, protocolVersion, initializeParams,
                affinity, State.ENDED, createdAt, lastSeenAt, idleExpiresAt, expiresAt, slots, taskId, version + 1);
    }

    /** Session ids are bearer-like values: never print them whole. */
    @Override
    public String toString() {
        return "BrokerSession[" + SessionIds.redact(sessionId) + ", agent=" + owner.agentId() + ", server=" + serverId + ", state=" + state
                + ", protocol=" + protocolVersion + ", version=" + version + "]";
    }
}
