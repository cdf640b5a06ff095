package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.audit.AuditBacklog;
import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link AuditOutbox} in memory: each chain numbered 1, 2, 3, ... and linked by hash exactly as the DynamoDB
 * outbox does, appends of one chain serialised; an event without a session is a chain of one, whose second append
 * finds it stored. It is its own {@link AuditBacklog}.
 */
public final class InMemoryAuditOutbox extends Availability implements AuditOutbox, AuditBacklog {

    private final AuditChain chain = new AuditChain();
    private final Map<String, List<AuditEvent>> chains = new HashMap<>();
    private final Set<String> delivered = new HashSet<>();

    @Override
    public synchronized AuditEvent append(AuditEvent unchained) {
        if (unchained.chained()) {
            throw new IllegalArgumentException("the event is already chained");
        }
        answer("append");
        if (unchained.sessionId() == null) {
            return appendAlone(chain.first(unchained));
        }
        List<AuditEvent> events = chains.computeIfAbsent(unchained.chainKey(), key -> new ArrayList<>());
        AuditEvent chained = events.isEmpty() ? chain.first(unchained) : chain.next(events.get(events.size() - 1), unchained);
        events.add(chained);
        return chained;
    }

    @Override
    public synchronized List<AuditEvent> appendAll(List<AuditEvent> unchained) {
        AuditOutbox.requireOneSession(unchained);
        answer("append");
        List<AuditEvent> events = chains.computeIfAbsent(unchained.get(0).chainKey(), key -> new ArrayList<>());
        List<AuditEvent> appended = new ArrayList<>(unchained.size());
        for (AuditEvent event : unchained) {
            AuditEvent chained = events.isEmpty() ? chain.first(event) : chain.next(events.get(events.size() - 1), event);
            events.add(chained);
            appended.add(chained);
        }
        return appended;
    }

    /*
     * An event without a session is a chain of one: appending it again (its first answer lost) finds it stored, and
     * another event under the same event id is refused, as the DynamoDB outbox does.
     */
    private AuditEvent appendAlone(AuditEvent alone) {
        List<AuditEvent> stored = chains.get(alone.chainKey());
        if (stored == null) {
            chains.put(alone.chainKey(), new ArrayList<>(List.of(alone)));
            return alone;
        }
        if (stored.get(0).hash().equals(alone.hash())) {
            return stored.get(0);
        }
        throw new StoreUnavailableException("another audit event is stored under event id " + alone.eventId(), null);
    }

    @Override
    public synchronized List<AuditEvent> undelivered(String chainKey, int limit) {
        answer("undelivered");
        return chains.getOrDefault(chainKey, List.of()).stream()
                .filter(event -> !delivered.contains(event.eventId()))
                .limit(limit)
                .toList();
    }

    /** Marks the event only if the outbox holds it at its place in its chain; anything else is left alone. */
    @Override
    public synchronized void markDelivered(AuditEvent event) {
        answer("markDelivered");
        List<AuditEvent> events = chains.getOrDefault(event.chainKey(), List.of());
        long seq = event.sessionSeq();
        if (seq >= 1 && seq <= events.size() && events.get((int) (seq - 1)).eventId().equals(event.eventId())) {
            delivered.add(event.eventId());
        }
    }

    @Override
    public synchronized Set<String> chainsWithUndeliveredEvents() {
        answer("chainsWithUndeliveredEvents");
        Set<String> keys = new LinkedHashSet<>();
        chains.forEach((key, events) -> {
            if (events.stream().anyMatch(event -> !delivered.contains(event.eventId()))) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** Every event of one chain, in order. */
    public synchronized List<AuditEvent> chain(String chainKey) {
        return List.copyOf(chains.getOrDefault(chainKey, List.of()));
    }

    /** Every event appended, chain by chain. */
    public synchronized List<AuditEvent> all() {
        return chains.values().stream().flatMap(List::stream).toList();
    }
}
