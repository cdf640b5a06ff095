package dev.mcpbroker.core.capacity;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.time.Sleeper;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Caps the concurrent sessions of each upstream server. Upstreams are sized by sessions, not requests
 * per second: every live session holds a slot of its server's {@link LeasePool}. An initialize that
 * finds every slot held takes a place in the server's bounded queue and waits for a slot up to a
 * configured time; without a place, or when the wait runs out, it is refused with 503 and
 * {@code Retry-After} before anything is sent upstream. The queue is not strictly first-come: waiters
 * poll with jitter, so a freed slot goes to whichever waiter asks first.
 */
public final class SessionCapacity {

    private static final System.Logger LOG = System.getLogger(SessionCapacity.class.getName());

    private final LeaseStore leases;
    private final Clock clock;
    private final Sleeper sleeper;
    private final CapacitySettings settings;

    public SessionCapacity(LeaseStore leases, Clock clock, Sleeper sleeper, CapacitySettings settings) {
        this.leases = Objects.requireNonNull(leases);
        this.clock = Objects.requireNonNull(clock);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.settings = Objects.requireNonNull(settings);
    }

    /** The cap of {@code server}: its registry entry's, else the broker's default. */
    public int capOf(UpstreamServer server) {
        return server.sessionLimits().maxSessions().orElse(settings.defaultMaxSessions());
    }

    public LeasePool poolOf(UpstreamServer server) {
        return LeasePool.sessionsOf(server.id(), capOf(server));
    }

    /** A slot taken for a session about to be opened, and how long the initialize waited for it in the queue. */
    public record Acquired(Lease lease, Duration waited) {
    }

    /**
     * Takes a slot for a session about to be opened, held for the initialize lease; waits in the queue
     * when the server is at its cap.
     *
     * @throws BrokerException {@code session_capacity_exhausted} when no slot became free in time
     */
    public Acquired acquire(UpstreamServer server, String sessionId) {
        LeasePool pool = poolOf(server);
        Optional<Lease> lease = leases.tryAcquire(pool, sessionId, clock.instant(), clock.instant().plus(settings.initializeLease()));
        if (lease.isPresent()) {
            return new Acquired(lease.get(), Duration.ZERO);
        }
        if (settings.queueDepth() == 0) {
            throw exhausted(server, "and no queue is configured");
        }
        Instant started = clock.instant();
        Instant deadline = started.plus(settings.queueWait());
        // The place in the queue expires shortly after the wait would have ended: a waiter that dies keeps it no longer.
        Optional<Lease> place = leases.tryAcquire(LeasePool.queueOf(server.id(), settings.queueDepth()), sessionId,
                started, deadline.plus(settings.pollInterval()).plusSeconds(1));
        if (place.isEmpty()) {
            throw exhausted(server, "and its queue is full");
        }
        try {
            while (clock.instant().isBefore(deadline)) {
                pause(deadline);
                lease = leases.tryAcquire(pool, sessionId, clock.instant(), clock.instant().plus(settings.initializeLease()));
                if (lease.isPresent()) {
                    return new Acquired(lease.get(), Duration.between(started, clock.instant()));
                }
            }
            throw exhausted(server, "and no slot became free within " + settings.queueWait());
        } finally {
            leases.release(place.get());
        }
    }

    /** Holds the slot for the opened session, until its end of life. */
    public boolean hold(Lease lease, Instant until) {
        return leases.renew(lease, until);
    }

    /** Frees the slot of an ended or never-opened session. Never fails the caller: an unreleased slot expires. */
    public void release(Lease lease) {
        try {
            leases.release(lease);
        } catch (RuntimeException e) {
            LOG.log(Level.INFO, () -> "a session slot was not released (it expires on its own): " + e.getMessage());
        }
    }

    public Lease leaseOf(UpstreamServer server, int slot, String sessionId, Instant until) {
        return new Lease(poolOf(server).name(), slot, sessionId, until);
    }

    private void pause(Instant deadline) {
        long remaining = Duration.between(clock.instant(), deadline).toMillis();
        long interval = settings.pollInterval().toMillis();
        // Jitter spreads the waiters' polls so they do not all hit the store at once.
        long nap = Math.min(remaining, interval / 2 + ThreadLocalRandom.current().nextLong(interval / 2 + 1));
        if (nap <= 0) {
            return;
        }
        try {
            sleeper.sleep(Duration.ofMillis(nap));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.SESSION_CAPACITY_EXHAUSTED, "interrupted while waiting for a session slot");
        }
    }

    private BrokerException exhausted(UpstreamServer server, String detail) {
        return new BrokerException(ErrorCode.SESSION_CAPACITY_EXHAUSTED, "upstream '" + server.id() + "' has its maximum of "
                + capOf(server) + " concurrent sessions " + detail).withRetryAfter(retryAfter());
    }

    private Duration retryAfter() {
        Duration wait = settings.queueWait();
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
    }
}
