package dev.mcpbroker.core.capacity;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionSlots;
import dev.mcpbroker.core.time.Sleeper;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
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

    /**
     * The slots taken for a session about to be opened (its server's cap, and its tenant's and agent's shares where
     * the registry sets them), and how long the initialize waited for the server's slot in the queue.
     */
    public record Acquired(List<Lease> leases, SessionSlots slots, Duration waited) {
    }

    /**
     * Takes the slots of a session about to be opened, held for the initialize lease: first its tenant's and its
     * agent's shares of the server (refused at once when one is used up: the caller's own quota, not the server's),
     * then a slot of the server's cap, waiting in the queue when the server is at its cap. Whatever fails, the
     * slots already taken are given back.
     *
     * @throws BrokerException {@code session_quota_exhausted} when a share is in use, {@code session_capacity_exhausted}
     *                         when no slot of the server became free in time
     */
    public Acquired acquire(UpstreamServer server, SessionOwner owner, String sessionId) {
        List<Lease> taken = new ArrayList<>();
        try {
            int tenant = share(server, tenantShare(server, owner), "tenant", sessionId, taken);
            int agent = share(server, agentShare(server, owner), "agent", sessionId, taken);
            ServerSlot slot = serverSlot(server, sessionId);
            taken.add(slot.lease());
            return new Acquired(List.copyOf(taken), new SessionSlots(slot.lease().slot(), tenant, agent), slot.waited());
        } catch (RuntimeException e) {
            taken.forEach(this::release);
            throw e;
        }
    }

    private int share(UpstreamServer server, Optional<LeasePool> pool, String whose, String sessionId, List<Lease> taken) {
        if (pool.isEmpty()) {
            return SessionSlots.NONE;
        }
        Lease lease = leases.tryAcquire(pool.get(), sessionId, clock.instant(), clock.instant().plus(settings.initializeLease()))
                .orElseThrow(() -> new BrokerException(ErrorCode.SESSION_QUOTA_EXHAUSTED, "this " + whose
                        + "'s share of the sessions of upstream '" + server.id() + "' (" + pool.get().size()
                        + ") is in use; end a session first").withRetryAfter(retryAfter()));
        taken.add(lease);
        return lease.slot();
    }

    private record ServerSlot(Lease lease, Duration waited) {
    }

    private ServerSlot serverSlot(UpstreamServer server, String sessionId) {
        LeasePool pool = poolOf(server);
        Optional<Lease> lease = leases.tryAcquire(pool, sessionId, clock.instant(), clock.instant().plus(settings.initializeLease()));
        if (lease.isPresent()) {
            return new ServerSlot(lease.get(), Duration.ZERO);
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
                    return new ServerSlot(lease.get(), Duration.between(started, clock.instant()));
                }
            }
            throw exhausted(server, "and no slot became free within " + settings.queueWait());
        } finally {
            leases.release(place.get());
        }
    }

    /** Holds the slots taken for an opened session until its end of life; false when one had expired and was taken. */
    public boolean hold(List<Lease> taken, Instant until) {
        boolean all = true;
        for (Lease lease : taken) {
            all &= leases.renew(lease, until);
        }
        return all;
    }

    /** Holds every slot of a live session until {@code until}; false when one had expired and was taken. */
    public boolean hold(UpstreamServer server, SessionOwner owner, String sessionId, SessionSlots slots, Instant until) {
        return hold(leasesOf(server, owner, sessionId, slots, until), until);
    }

    /** Frees every slot of an ended session. Never fails the caller: an unreleased slot expires. */
    public void release(UpstreamServer server, SessionOwner owner, String sessionId, SessionSlots slots) {
        leasesOf(server, owner, sessionId, slots, clock.instant()).forEach(this::release);
    }

    private List<Lease> leasesOf(UpstreamServer server, SessionOwner owner, String sessionId, SessionSlots slots,
                                 Instant until) {
        List<Lease> held = new ArrayList<>();
        if (slots.server() != SessionSlots.NONE) {
            held.add(new Lease(poolOf(server).name(), slots.server(), sessionId, until));
        }
        if (slots.tenant() != SessionSlots.NONE) {
            held.add(new Lease(LeasePool.tenantShareOf(server.id(), owner.tenantId(), 1).name(), slots.tenant(), sessionId, until));
        }
        if (slots.agent() != SessionSlots.NONE) {
            held.add(new Lease(LeasePool.agentShareOf(server.id(), owner.agentId(), 1).name(), slots.agent(), sessionId, until));
        }
        return held;
    }

    private static Optional<LeasePool> tenantShare(UpstreamServer server, SessionOwner owner) {
        OptionalInt share = server.sessionLimits().maxSessionsPerTenant();
        return share.isPresent() ? Optional.of(LeasePool.tenantShareOf(server.id(), owner.tenantId(), share.getAsInt()))
                : Optional.empty();
    }

    private static Optional<LeasePool> agentShare(UpstreamServer server, SessionOwner owner) {
        OptionalInt share = server.sessionLimits().maxSessionsPerAgent();
        return share.isPresent() ? Optional.of(LeasePool.agentShareOf(server.id(), owner.agentId(), share.getAsInt()))
                : Optional.empty();
    }

    /** Frees one slot. Never fails the caller: an unreleased slot expires. */
    private void release(Lease lease) {
        try {
            leases.release(lease);
        } catch (RuntimeException e) {
            LOG.log(Level.INFO, () -> "a session slot was not released (it expires on its own): " + e.getMessage());
        }
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
