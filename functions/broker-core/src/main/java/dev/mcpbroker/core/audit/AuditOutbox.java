package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.util.List;

/**
 * Where the broker records audit events durably before anything they describe happens: a transactional outbox. The
 * request path {@link #append appends} an event and only then acts (an {@link AuditEvent.Kind#INTENT} is appended
 * before the upstream is contacted); a separate forwarder reads what is {@link #undelivered undelivered}, puts it on
 * the audit stream (partition key {@link AuditEvent#chainKey()}) and {@link #markDelivered marks it delivered}.
 *
 * <p><b>Fail closed.</b> If an append fails, the caller must refuse the request as not executed: nothing has been
 * sent upstream, and an action the audit trail might not show must not happen. Whether a failed append was stored is
 * unknown (a timeout may hide a commit); the trail then shows an event for something that did not happen, never the
 * reverse.
 *
 * <p><b>Chains.</b> {@link #append} gives each event the next place in its chain ({@link AuditChain}): per
 * {@link AuditEvent#chainKey()}, sequence numbers 1, 2, 3, ... without gaps or repeats, each event linked to its
 * predecessor's hash, even when several broker instances append to one session at the same time. An event without a
 * session is a chain of its own (sequence number 1, previous hash GENESIS).
 *
 * <p>Implementations translate their storage errors into {@link StoreUnavailableException} and are thread-safe.
 */
public interface AuditOutbox {

    /**
     * Chains and stores an event, atomically with advancing its chain's head.
     *
     * @param unchained an event as the request path builds it ({@link AuditEvent#chained()} false); the same event
     *                  must not be appended twice (it would take two places in its chain)
     * @return the stored event, chained: {@code sessionSeq}, {@code previousHash} and {@code hash} set
     * @throws IllegalArgumentException  when the event is already chained
     * @throws StoreUnavailableException when it could not be stored (or it is unknown whether it was): refuse the
     *                                   request, nothing has been sent upstream
     */
    AuditEvent append(AuditEvent unchained);

    /**
     * Chains and stores several events of one chain, in order, atomically with advancing its head: all of them or
     * none. What a read is recorded as, after its answer came and before it is released: its intent and its outcome
     * in one write.
     *
     * @param unchained events of one session ({@link AuditEvent#sessionId()} set and equal), none chained
     * @return the stored events, chained, in order
     * @throws IllegalArgumentException  when the list is empty, an event is chained, or they are not of one session
     * @throws StoreUnavailableException when they could not be stored (or it is unknown whether they were)
     */
    List<AuditEvent> appendAll(List<AuditEvent> unchained);

    /** Checks what {@link #appendAll} requires of its events. */
    static void requireOneSession(List<AuditEvent> unchained) {
        if (unchained.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        String session = unchained.get(0).sessionId();
        for (AuditEvent event : unchained) {
            if (event.chained()) {
                throw new IllegalArgumentException("event " + event.eventId() + " is chained already");
            }
            if (session == null || !session.equals(event.sessionId())) {
                throw new IllegalArgumentException("events appended together belong to one session");
            }
        }
    }

    /**
     * Up to {@code limit} events of one chain not yet marked delivered, in sequence order, read consistently. Events
     * expire from the outbox after its retention whether delivered or not.
     *
     * @throws StoreUnavailableException when the outbox could not be read or holds something that is not an event
     */
    List<AuditEvent> undelivered(String chainKey, int limit);

    /**
     * Records that an event reached the audit stream. Marking again is harmless; an event the outbox no longer holds
     * (past retention) is left alone.
     *
     * @param event a chained event as {@link #append} or {@link #undelivered} returned it
     * @throws StoreUnavailableException when the outbox could not be written
     */
    void markDelivered(AuditEvent event);
}
