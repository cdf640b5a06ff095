package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.error.FailureClass;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the audit trail. Every request that reaches the policy layer produces one: a {@link Kind#DECISION}
 * for a refusal or a request other than {@code tools/call}; an allowed {@code tools/call} produces an
 * {@link Kind#INTENT} before the upstream is contacted and an {@link Kind#OUTCOME} after it answered, failed or
 * timed out. Events of one session form a hash chain ({@link AuditChain}); on the wire they are JSON
 * ({@link AuditEventCodec}, {@code audit-event.schema.json}).
 *
 * <p>The arguments of a call are never part of an event, only their keyed {@link ArgumentFingerprinter fingerprint}.
 * Every field but {@code eventId}, {@code kind}, {@code time} and {@code decision} may be null (absent). An event is
 * either <em>unchained</em> ({@code sessionSeq} 0, no hashes: as the request path builds it) or <em>chained</em>
 * ({@code sessionSeq} >= 1 and both hashes: as {@link AuditChain#link} returns it and as it is published).
 *
 * @param eventId               unique id of this event (e.g. a random UUID)
 * @param kind                  what the event records
 * @param time                  when it happened; kept to millisecond precision (finer digits are dropped)
 * @param agentId               the authenticated agent; null if authentication failed
 * @param tenantId              the agent's tenant; null if unknown
 * @param onBehalfOf            the user the agent acts for; null if none
 * @param sessionId             the broker's session id; null for a request refused before any session existed
 * @param serverId              the upstream server (from the path)
 * @param method                the JSON-RPC method, e.g. {@code tools/call}
 * @param tool                  the tool of a {@code tools/call}
 * @param argumentFingerprint   HMAC-SHA256 (64 lower-case hex) of the call's canonical arguments
 * @param decision              the policy layer's decision; INTENT and OUTCOME are always ALLOWED
 * @param reason                why, in the broker's error vocabulary ({@code tool_not_allowed}, {@code
 *                              upstream_unreachable}, ...); null when there is nothing to explain
 * @param outcomeClass          for OUTCOME: how the call ended
 * @param upstreamLatencyMillis for OUTCOME: time spent on the upstream exchange, in milliseconds
 * @param idempotencyKey        the agent's idempotency key, if it sent one
 * @param traceId               the distributed trace id (e.g. X-Ray / W3C traceparent)
 * @param correlationId         the request's correlation id (e.g. the API Gateway request id)
 * @param sessionSeq            position in the session's chain: 1, 2, 3, ...; 0 while unchained
 * @param previousHash          {@code hash} of the event at {@code sessionSeq - 1}; {@link AuditChain#GENESIS} at 1
 * @param hash                  SHA-256 (64 lower-case hex) of this event, see {@link AuditChain}
 */
public record AuditEvent(String eventId, Kind kind, Instant time, String agentId, String tenantId, String onBehalfOf,
                         String sessionId, String serverId, String method, String tool, String argumentFingerprint,
                         Decision decision, String reason, OutcomeClass outcomeClass, Long upstreamLatencyMillis,
                         String idempotencyKey, String traceId, String correlationId, long sessionSeq,
                         String previousHash, String hash) {

    /** 64 lower-case hex characters: a SHA-256 or HMAC-SHA256 value. */
    public static final Pattern HEX_256 = Pattern.compile("[0-9a-f]{64}");

    /** What an event records. */
    public enum Kind {
        /** An allowed {@code tools/call}, written before the upstream is contacted. */
        INTENT,
        /** How an allowed {@code tools/call} ended, written after the upstream exchange. */
        OUTCOME,
        /** Any other request that reached the policy layer, or any refusal: a single event. */
        DECISION
    }

    /** The policy layer's verdict. */
    public enum Decision {
        ALLOWED,
        DENIED
    }

    /**
     * How an allowed call ended. The three failure classes are {@link FailureClass}'s, with the same wire names as
     * {@code error.data.failureClass}, so the trail and the agent's errors can be joined.
     */
    public enum OutcomeClass {
        /** The upstream answered with a result. */
        OK("ok"),
        /** The upstream answered with a tool failure ({@code isError: true}): data, not a broker error. */
        TOOL_ERROR("tool_error"),
        /** {@link FailureClass#NOT_EXECUTED}. */
        NOT_EXECUTED(FailureClass.NOT_EXECUTED.wireName()),
        /** {@link FailureClass#DETERMINISTIC}. */
        DETERMINISTIC(FailureClass.DETERMINISTIC.wireName()),
        /** {@link FailureClass#AMBIGUOUS}: the upstream may have acted. */
        AMBIGUOUS(FailureClass.AMBIGUOUS.wireName());

        private final String wireName;

        OutcomeClass(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static OutcomeClass of(FailureClass failure) {
            return switch (Objects.requireNonNull(failure, "failure")) {
                case NOT_EXECUTED -> NOT_EXECUTED;
                case DETERMINISTIC -> DETERMINISTIC;
                case AMBIGUOUS -> AMBIGUOUS;
            };
        }

        public static OutcomeClass fromWireName(String wireName) {
            for (OutcomeClass c : values()) {
                if (c.wireName.equals(wireName)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown outcome class '" + wireName + "'");
        }
    }

    public AuditEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(decision, "decision");
        if (eventId.isEmpty()) {
            throw new IllegalArgumentException("eventId is empty");
        }
        if (sessionId != null && sessionId.isEmpty()) {
            throw new IllegalArgumentException("sessionId is empty (use null for no session)");
        }
        time = time.truncatedTo(ChronoUnit.MILLIS);
        if (kind != Kind.DECISION && decision != Decision.ALLOWED) {
            throw new IllegalArgumentException(kind + " events record allowed calls only");
        }
        if (kind == Kind.OUTCOME && outcomeClass == null) {
            throw new IllegalArgumentException("an OUTCOME needs an outcomeClass");
        }
        if (kind != Kind.OUTCOME && (outcomeClass != null || upstreamLatencyMillis != null)) {
            throw new IllegalArgumentException("only an OUTCOME has an outcomeClass or upstreamLatencyMillis");
        }
        if (upstreamLatencyMillis != null && upstreamLatencyMillis < 0) {
            throw new IllegalArgumentException("upstreamLatencyMillis is negative");
        }
        requireHex("argumentFingerprint", argumentFingerprint);
        requireHex("previousHash", previousHash);
        requireHex("hash", hash);
        if (sessionSeq < 0) {
            throw new IllegalArgumentException("sessionSeq is negative");
        }
        boolean chained = sessionSeq > 0;
        if (chained != (previousHash != null) || chained != (hash != null)) {
            throw new IllegalArgumentException("an event is either unchained (sessionSeq 0, no hashes) or chained "
                    + "(sessionSeq >= 1, previousHash and hash)");
        }
    }

    private static void requireHex(String field, String value) {
        if (value != null && !HEX_256.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not 64 lower-case hex characters");
        }
    }

    /** Whether {@link AuditChain} has given this event its place: sequence number and hashes. */
    public boolean chained() {
        return sessionSeq > 0;
    }

    /**
     * The chain this event belongs to, which is also its Kinesis partition key: the session id, or, for a request
     * refused before a session existed, {@code "no-session:" + eventId} (a chain of one event).
     */
    public String chainKey() {
        return sessionId != null ? sessionId : NO_SESSION_PREFIX + eventId;
    }

    /** Prefix of {@link #chainKey()} for events without a session. */
    public static final String NO_SESSION_PREFIX = "no-session:";

    /** This event with chain fields set; used by {@link AuditChain#link}. */
    AuditEvent withChain(long seq, String previous, String eventHash) {
        return new AuditEvent(eventId, kind, time, agentId, tenantId, onBehalfOf, sessionId, serverId, method, tool,
                argumentFingerprint, decision, reason, outcomeClass, upstreamLatencyMillis, idempotencyKey, traceId,
                correlationId, seq, previous, eventHash);
    }

    /** This event without its place in a chain. */
    public AuditEvent unchained() {
        return withChain(0, null, null);
    }

    public static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    /** Builds unchained events; {@code decision} defaults to ALLOWED. */
    public static final class Builder {
        private final Kind kind;
        private String eventId;
        private Instant time;
        private String agentId;
        private String tenantId;
        private String onBehalfOf;
        private String sessionId;
        private String serverId;
        private String method;
        private String tool;
        private String argumentFingerprint;
        private Decision decision = Decision.ALLOWED;
        private String reason;
        private OutcomeClass outcomeClass;
        private Long upstreamLatencyMillis;
        private String idempotencyKey;
        private String traceId;
        private String correlationId;

        private Builder(Kind kind) {
            this.kind = kind;
        }

        public Builder eventId(String v) { eventId = v; return this; }
        public Builder time(Instant v) { time = v; return this; }
        public Builder agentId(String v) { agentId = v; return this; }
        public Builder tenantId(String v) { tenantId = v; return this; }
        public Builder onBehalfOf(String v) { onBehalfOf = v; return this; }
        public Builder sessionId(String v) { sessionId = v; return this; }
        public Builder serverId(String v) { serverId = v; return this; }
        public Builder method(String v) { method = v; return this; }
        public Builder tool(String v) { tool = v; return this; }
        public Builder argumentFingerprint(String v) { argumentFingerprint = v; return this; }
        public Builder decision(Decision v) { decision = v; return this; }
        public Builder reason(String v) { reason = v; return this; }
        public Builder outcomeClass(OutcomeClass v) { outcomeClass = v; return this; }
        public Builder upstreamLatencyMillis(Long v) { upstreamLatencyMillis = v; return this; }
        public Builder idempotencyKey(String v) { idempotencyKey = v; return this; }
        public Builder traceId(String v) { traceId = v; return this; }
        public Builder correlationId(String v) { correlationId = v; return this; }

        public AuditEvent build() {
            return new AuditEvent(eventId, kind, time, agentId, tenantId, onBehalfOf, sessionId, serverId, method, tool,
                    argumentFingerprint, decision, reason, outcomeClass, upstreamLatencyMillis, idempotencyKey, traceId,
                    correlationId, 0, null, null);
        }
    }
}
