package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.session.WarmSessionPool;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps upstream cold starts off the agent's path: per server, a pool of upstream sessions opened
 * ahead of demand. An agent's initialize takes one (a conditional delete, so each goes to one agent
 * session) and answers with the upstream's stored initialize result; a scheduled function tops the
 * pool up and discards entries older than the upstream's likely idle timeout.
 */
public final class WarmSessions {

    private static final System.Logger LOG = System.getLogger(WarmSessions.class.getName());

    /** The client info the broker opens pooled sessions with. */
    public static final String CLIENT_NAME = "mcp-broker-warm-pool";
    /** Pooled sessions ask for the newest version; agents asking for it get one. */
    public static final String REQUESTED_VERSION = ProtocolVersions.SUPPORTED.get(0);

    /** What one refill did. */
    public record Refill(String serverId, int discarded, int added, int fresh, String failure) {
    }

    private final WarmSessionPool pool;
    private final UpstreamExchange exchange;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Duration maxAge;

    /**
     * @param maxAge how long a pooled session is handed out after it was opened; keep it below the
     *               upstream's own idle timeout
     */
    public WarmSessions(WarmSessionPool pool, UpstreamExchange exchange, ObjectMapper mapper, Clock clock, Duration maxAge) {
        this.pool = Objects.requireNonNull(pool);
        this.exchange = Objects.requireNonNull(exchange);
        this.mapper = Objects.requireNonNull(mapper);
        this.clock = Objects.requireNonNull(clock);
        this.maxAge = Objects.requireNonNull(maxAge);
    }

    /** A pooled session for an agent asking for {@code requestedVersion}, if the server keeps a pool and one is ready. */
    public Optional<WarmSession> take(UpstreamServer server, String requestedVersion) {
        if (server.sessionLimits().warmSessions() == 0 || !REQUESTED_VERSION.equals(requestedVersion)) {
            return Optional.empty();
        }
        return pool.take(server.id(), requestedVersion, clock.instant());
    }

    /** Discards stale entries (ending their upstream sessions) and opens new ones up to the server's target. */
    public Refill refill(UpstreamServer server) {
        Instant now = clock.instant();
        List<WarmSession> entries = pool.list(server.id());
        int discarded = 0;
        int fresh = 0;
        for (WarmSession entry : entries) {
            if (entry.isFreshAt(now) && entry.requestedVersion().equals(REQUESTED_VERSION)) {
                fresh++;
            } else if (pool.remove(entry)) {
                exchange.terminateQuietly(server, entry.upstreamSessionId(), entry.protocolVersion(), entry.affinity());
                discarded++;
            }
        }
        int added = 0;
        String failure = null;
        while (fresh + added < server.sessionLimits().warmSessions()) {
            try {
                pool.add(open(server));
                added++;
            } catch (BrokerException e) {
                failure = e.code().reason();
                LOG.log(Level.INFO, () -> "warm pool of '" + server.id() + "' not refilled: " + e.getMessage());
                break;
            }
        }
        return new Refill(server.id(), discarded, added, fresh + added, failure);
    }

    private WarmSession open(UpstreamServer server) {
        ObjectNode params = mapper.createObjectNode().put("protocolVersion", REQUESTED_VERSION);
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", CLIENT_NAME).put("version", "1");
        ObjectNode initialize = mapper.createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.ID, "broker-warm")
                .put(JsonRpc.METHOD, McpMethods.INITIALIZE);
        initialize.set(JsonRpc.PARAMS, params);
        UpstreamExchange.Opened opened = exchange.open(server, initialize);
        if (opened.refused()) {
            throw new BrokerException(dev.mcpbroker.core.error.ErrorCode.UPSTREAM_REJECTED,
                    "upstream '" + server.id() + "' refused the broker's initialize");
        }
        Instant now = clock.instant();
        return new WarmSession(server.id(), UUID.randomUUID().toString(), opened.upstreamSessionId(), REQUESTED_VERSION,
                opened.protocolVersion(), params.toString(), opened.response().path(JsonRpc.RESULT).toString(),
                opened.affinity(), now, now.plus(maxAge));
    }
}
