package dev.mcpbroker.conformance.notify;

import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * Fans change events out to whoever listens: 2026-07-28 {@code subscriptions/listen} streams and the standalone GET
 * streams of legacy sessions. Each listener filters what it receives and drains its own queue.
 */
public final class NotificationHub {

    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();

    /** Registers a listener receiving the events {@code filter} accepts; close it to stop receiving. */
    public Listener listen(Predicate<ChangeEvent> filter) {
        Listener listener = new Listener(filter);
        listeners.add(listener);
        return listener;
    }

    /** Delivers {@code event} to every listener that wants it; returns how many got it. */
    public int publish(ChangeEvent event) {
        int delivered = 0;
        for (Listener listener : listeners) {
            if (listener.filter.test(event)) {
                listener.queue.add(event);
                delivered++;
            }
        }
        return delivered;
    }

    public final class Listener implements AutoCloseable {

        private final Predicate<ChangeEvent> filter;
        private final BlockingQueue<ChangeEvent> queue = new LinkedBlockingQueue<>();

        private Listener(Predicate<ChangeEvent> filter) {
            this.filter = filter;
        }

        /** The next event, or null when none arrived within {@code millis}. */
        public ChangeEvent next(long millis) throws InterruptedException {
            return queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            listeners.remove(this);
        }
    }
}
