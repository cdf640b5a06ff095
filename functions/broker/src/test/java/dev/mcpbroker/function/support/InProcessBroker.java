package dev.mcpbroker.function.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.broker.BrokerMetrics;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimiter;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.sessiontable.DynamoDbTaskSessionCounter;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.idempotency.DynamoDbIdempotencyStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbLeaseStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbWarmSessionPool;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The broker's request path composed in this JVM over the real DynamoDB adapters and real upstreams, as
 * {@code BrokerProducer} composes it in the function, for tests and benchmarks that need many concurrent
 * callers (the function's test event server serves one request at a time, like one Lambda instance).
 */
public final class InProcessBroker {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final DynamoDbClient dynamoDb;
    private final String stateTable;
    private final String policyTable;
    private List<UpstreamServer> servers = List.of();
    private AuditOutbox outbox;
    private boolean requireIdempotencyKey = true;
    private SessionTimeouts timeouts = new SessionTimeouts(Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofMinutes(1));
    private CapacitySettings capacity = new CapacitySettings(1000, 50, Duration.ofSeconds(5), Duration.ofMillis(200),
            Duration.ofSeconds(60));
    private BrokerMetrics metrics = BrokerMetrics.NONE;
    private Duration warmMaxAge = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();
    private UpstreamTracing upstreamTracing = UpstreamTracing.NONE;

    public InProcessBroker(DynamoDbClient dynamoDb, String stateTable, String policyTable) {
        this.dynamoDb = dynamoDb;
        this.stateTable = stateTable;
        this.policyTable = policyTable;
        this.outbox = new DynamoDbAuditOutbox(dynamoDb, stateTable);
    }

    public InProcessBroker servers(UpstreamServer... registered) {
        this.servers = List.of(registered);
        return this;
    }

    public InProcessBroker outbox(AuditOutbox auditOutbox) {
        this.outbox = auditOutbox;
        return this;
    }

    public InProcessBroker requireIdempotencyKey(boolean require) {
        this.requireIdempotencyKey = require;
        return this;
    }

    public InProcessBroker timeouts(SessionTimeouts sessionTimeouts) {
        this.timeouts = sessionTimeouts;
        return this;
    }

    public InProcessBroker capacity(CapacitySettings settings) {
        this.capacity = settings;
        return this;
    }

    public InProcessBroker metrics(BrokerMetrics brokerMetrics) {
        this.metrics = brokerMetrics;
        return this;
    }

    /** The broker's clock (session lifetimes, idle deadlines, leases). */
    public InProcessBroker clock(Clock brokerClock) {
        this.clock = brokerClock;
        return this;
    }

    /** How exchanges with upstreams are traced (by default, not at all). */
    public InProcessBroker upstreamTracing(UpstreamTracing tracing) {
        this.upstreamTracing = tracing;
        return this;
    }

    public InProcessBroker warmMaxAge(Duration maxAge) {
        this.warmMaxAge = maxAge;
        return this;
    }

    /** The exchange the broker uses, for tests that drive the warm pool like the maintenance function. */
    public UpstreamExchange exchange() {
        return new UpstreamExchange(new HttpUpstreamClient(JSON, 8 << 20), CredentialSource.NONE, JSON, upstreamTracing);
    }

    public WarmSessions warmSessions() {
        return new WarmSessions(new DynamoDbWarmSessionPool(dynamoDb, stateTable), exchange(), JSON, clock, warmMaxAge);
    }

    public McpBroker build() {
        List<UpstreamServer> registered = servers;
        McpBroker.Ports ports = new McpBroker.Ports(
                new DynamoDbSessionStore(dynamoDb, stateTable),
                id -> registered.stream().filter(s -> s.id().equals(id)).findFirst(),
                exchange(),
                new AccessPolicy(new DynamoDbPolicyStore(dynamoDb, policyTable), Duration.ofSeconds(30), clock),
                unlimited(),
                metrics,
                new IdempotencyGuard(new DynamoDbIdempotencyStore(dynamoDb, stateTable), clock, Duration.ofSeconds(45), Duration.ofHours(24)),
                new ToolCatalog(Duration.ofMinutes(5), clock),
                new AuditTrail(outbox, new ArgumentFingerprinter(
                        "in-process-fingerprint-key-0123456789".getBytes(StandardCharsets.UTF_8)), clock),
                new SessionCapacity(new DynamoDbLeaseStore(dynamoDb, stateTable), clock, capacity),
                warmSessions(),
                new DynamoDbTaskSessionCounter(dynamoDb, stateTable));
        return new McpBroker(new JsonRpcCodec(JSON), ports, new SessionIds(new SecureRandom()), clock,
                new BrokerSettings(timeouts, 1 << 20, null, requireIdempotencyKey));
    }

    private static RateLimiter unlimited() {
        return (key, limit, now) -> Optional.empty();
    }
}
