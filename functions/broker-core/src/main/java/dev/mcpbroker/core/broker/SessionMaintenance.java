package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.capacity.LeaseStore;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The scheduled side of sessions, run by the maintenance function every minute: per registered server it
 * deletes expired capacity leases (a slot held by an instance that died, or by a session that went idle),
 * reports live sessions against the cap, and tops the warm pool up. Nothing here is needed for
 * correctness (an expired lease already counts as free), only for tidy state, accurate gauges and warm
 * sessions that are ready before an agent asks.
 */
public final class SessionMaintenance {

    private static final System.Logger LOG = System.getLogger(SessionMaintenance.class.getName());

    /** What one run found and did for one server. */
    public record ServerReport(String serverId, int liveSessions, int cap, int reapedLeases, WarmSessions.Refill warm,
                               String failure) {
    }

    private final Supplier<List<UpstreamServer>> servers;
    private final LeaseStore leases;
    private final SessionCapacity capacity;
    private final WarmSessions warmSessions;
    private final BrokerMetrics metrics;
    private final Clock clock;

    public SessionMaintenance(Supplier<List<UpstreamServer>> servers, LeaseStore leases, SessionCapacity capacity,
                              WarmSessions warmSessions, BrokerMetrics metrics, Clock clock) {
        this.servers = Objects.requireNonNull(servers);
        this.leases = Objects.requireNonNull(leases);
        this.capacity = Objects.requireNonNull(capacity);
        this.warmSessions = Objects.requireNonNull(warmSessions);
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
    }

    /** One pass over every registered server; a failure on one server does not stop the others. */
    public List<ServerReport> run() {
        List<ServerReport> reports = new ArrayList<>();
        for (UpstreamServer server : servers.get()) {
            try {
                reports.add(maintain(server));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "maintenance of '" + server.id() + "' failed: " + e.getMessage());
                reports.add(new ServerReport(server.id(), -1, capacity.capOf(server), 0, null, e.getClass().getSimpleName()));
            }
        }
        return reports;
    }

    private ServerReport maintain(UpstreamServer server) {
        Instant now = clock.instant();
        LeasePool pool = capacity.poolOf(server);
        int reaped = leases.reapExpired(pool, now);
        int live = (int) leases.list(pool).stream().filter(lease -> lease.isHeldAt(now)).count();
        metrics.liveSessions(server.id(), live, pool.size());
        WarmSessions.Refill refill = null;
        if (!server.controls().killed()) {
            refill = warmSessions.refill(server);
            metrics.warmSessions(server.id(), refill.fresh());
        }
        return new ServerReport(server.id(), live, pool.size(), reaped, refill, null);
    }
}
