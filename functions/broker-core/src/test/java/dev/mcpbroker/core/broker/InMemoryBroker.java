package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.MutableClock;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.idempotency.UpstreamKeys;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.memory.InMemoryAuditOutbox;
import dev.mcpbroker.core.memory.InMemoryIdempotencyStore;
import dev.mcpbroker.core.memory.InMemoryLeaseStore;
import dev.mcpbroker.core.memory.InMemoryPolicyStore;
import dev.mcpbroker.core.memory.InMemoryRateLimiter;
import dev.mcpbroker.core.memory.InMemorySessionStore;
import dev.mcpbroker.core.memory.InMemoryTaskOwners;
import dev.mcpbroker.core.memory.InMemoryTaskSessionCounter;
import dev.mcpbroker.core.memory.InMemoryToolApprovals;
import dev.mcpbroker.core.memory.InMemoryUpstreamRegistry;
import dev.mcpbroker.core.pinning.PinnedTools;
import dev.mcpbroker.core.memory.InMemoryWarmSessionPool;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.time.Sleeper;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamEndpoints;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamReply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * The whole request path over in-memory adapters and an {@link InMemoryUpstream}: the broker as the function
 * runs it, minus AWS and HTTP, so a test of the pipeline runs in milliseconds. Time is a {@link MutableClock};
 * waiting moves it instead of sleeping.
 */
final class InMemoryBroker {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SERVER = "payments";
    /** A 2026-07-28 upstream, whose generation the broker learns. */
    static final String LEDGER = "ledger";
    static final String TENANT = "t1";
    static final AgentIdentity AGENT = new AgentIdentity("agent-a", TENANT, "alice@example.com");
    static final String VERSION = "2025-11-25";
    /** How long a live tool definition learned from a list is trusted. */
    static final Duration LIVE_TOOLS_TTL = Duration.ofMinutes(1);
    private static final byte[] KEY = "core-test-fingerprint-key-0123456789".getBytes(StandardCharsets.UTF_8);

    final MutableClock clock = new MutableClock();
    private volatile Runnable onSleep = () -> { };
    /** Waiting moves the clock, after running whatever the test wants to happen meanwhile. */
    final Sleeper sleeper = duration -> {
        onSleep.run();
        clock.advance(duration);
    };
    final InMemorySessionStore sessions = new InMemorySessionStore();
    final InMemoryLeaseStore leases = new InMemoryLeaseStore();
    final InMemoryIdempotencyStore idempotency = new InMemoryIdempotencyStore();
    final InMemoryAuditOutbox outbox = new InMemoryAuditOutbox();
    final InMemoryPolicyStore policy = new InMemoryPolicyStore();
    final InMemoryRateLimiter rateLimiter = new InMemoryRateLimiter();
    final InMemoryUpstreamRegistry registry = new InMemoryUpstreamRegistry();
    final dev.mcpbroker.core.memory.InMemoryVirtualServerRegistry virtualServers =
            new dev.mcpbroker.core.memory.InMemoryVirtualServerRegistry(registry);
    final InMemoryUpstream upstream = new InMemoryUpstream();
    final InMemoryStatelessUpstream statelessUpstream = new InMemoryStatelessUpstream();
    final InMemoryTaskOwners taskOwners = new InMemoryTaskOwners();
    final InMemoryToolApprovals toolApprovals = new InMemoryToolApprovals();
    final RecordingMetrics metrics = new RecordingMetrics();
    /** Upstream servers that refuse every connection, as one that is down. */
    final java.util.Set<String> down = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final McpBroker broker;
    private int nextId = 1;

    InMemoryBroker() {
        this(new CapacitySettings(100, 5, Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(60)));
    }

    InMemoryBroker(CapacitySettings capacity) {
        this(capacity, SessionLimits.DEFAULT);
    }

    InMemoryBroker(CapacitySettings capacity, SessionLimits limits) {
        registry.register(new UpstreamServer(SERVER, URI.create("http://127.0.0.1:9/mcp"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), UpstreamAuth.NONE, ServerControls.NONE, ToolPolicy.NONE, limits));
        registry.register(new UpstreamServer(LEDGER, URI.create("http://127.0.0.1:9/ledger"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), UpstreamAuth.NONE, ServerControls.NONE, ToolPolicy.NONE, limits));
        policy.grant(AGENT.agentId(), TENANT, new ServerGrant(SERVER, null));
        policy.grant(AGENT.agentId(), TENANT, new ServerGrant(LEDGER, null));
        UpstreamClient byServer = new UpstreamClient() {
            @Override
            public UpstreamReply send(UpstreamServer server, UpstreamCall call) {
                if (down.contains(server.id())) {
                    throw new dev.mcpbroker.core.upstream.UpstreamException(
                            dev.mcpbroker.core.upstream.UpstreamException.Kind.UNREACHABLE, "connection refused", null);
                }
                return (server.id().equals(LEDGER) ? statelessUpstream : upstream).send(server, call);
            }

            @Override
            public void terminate(UpstreamServer server, String upstreamSessionId, String protocolVersion,
                                  java.util.Map<String, String> headers) {
                (server.id().equals(LEDGER) ? statelessUpstream : upstream).terminate(server, upstreamSessionId,
                        protocolVersion, headers);
            }
        };
        UpstreamExchange exchange = new UpstreamExchange(byServer, CredentialSource.NONE, JSON,
                dev.mcpbroker.core.telemetry.UpstreamTracing.NONE, UpstreamEndpoints.LOCAL_DEVELOPMENT);
        SessionCapacity sessionCapacity = new SessionCapacity(leases, clock, sleeper, capacity);
        BrokerPorts ports = new BrokerPorts(sessions, registry, exchange,
                new AccessPolicy(policy, Duration.ZERO, clock), rateLimiter, metrics,
                new IdempotencyGuard(new dev.mcpbroker.core.idempotency.SeparatelyAudited(idempotency, outbox), clock,
                        Duration.ofSeconds(45), Duration.ofHours(24)),
                new ToolCatalog(Duration.ofMinutes(5), clock),
                new AuditTrail(outbox, new ArgumentFingerprinter(KEY), clock),
                sessionCapacity,
                new WarmSessions(new InMemoryWarmSessionPool(), exchange, JSON, clock, Duration.ofMinutes(5)),
                new InMemoryTaskSessionCounter(), taskOwners, new UpstreamKeys(KEY),
                new PinnedTools(toolApprovals, Duration.ZERO, LIVE_TOOLS_TTL, clock), virtualServers);
        broker = new McpBroker(new JsonRpcCodec(JSON), ports, new SessionIds(new SecureRandom()), clock,
                new BrokerSettings(new SessionTimeouts(Duration.ofHours(12), Duration.ofMinutes(30), Duration.ofMinutes(1)),
                        1 << 20, null, true));
    }

    /** Runs {@code action} whenever the broker waits (once per poll of a capacity queue, for instance). */
    void onSleep(Runnable action) {
        this.onSleep = action;
    }

    /** Opens a session; returns its id. */
    String initialize() {
        BrokerResponse response = post(null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
                 "capabilities":{},"clientInfo":{"name":"test-agent","version":"1"}}}""".formatted(VERSION));
        return response.headers().get("Mcp-Session-Id");
    }

    ObjectNode call(String session, String tool, String arguments, String idempotencyKey) {
        return post(session, idempotencyKey, """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":%s}}"""
                .formatted(nextId++, tool, arguments)).body().orElseThrow();
    }

    ObjectNode request(String session, String method, String params) {
        return post(session, null, """
                {"jsonrpc":"2.0","id":%d,"method":"%s","params":%s}""".formatted(nextId++, method, params))
                .body().orElseThrow();
    }

    BrokerResponse post(String session, String idempotencyKey, String json) {
        return broker.post(new BrokerRequest(AGENT, SERVER, session, session == null ? null : VERSION, idempotencyKey,
                json.getBytes(StandardCharsets.UTF_8)));
    }

    /** The broker error a call raised; fails the test when it succeeded. */
    static BrokerException failure(Runnable call) {
        try {
            call.run();
        } catch (BrokerException e) {
            return e;
        }
        throw new AssertionError("expected a broker error");
    }

    static String text(ObjectNode response) {
        return response.path("result").path("content").path(0).path("text").asText();
    }

    /** Every audit event, in the order their chains hold them. */
    List<dev.mcpbroker.core.audit.AuditEvent> audit() {
        return outbox.all();
    }
}
