package dev.mcpbroker.function.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.BrokerComposition;
import dev.mcpbroker.function.BrokerConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The broker's request path composed in this JVM by the function's own composition root
 * ({@link BrokerComposition}) over the real DynamoDB adapters and real upstreams, for tests and benchmarks that need
 * many concurrent callers (the function's test event server serves one request at a time, like one Lambda
 * instance). Upstreams come from a list rather than the registry, and the fingerprint key is fixed.
 */
public final class InProcessBroker {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] FINGERPRINT_KEY = "in-process-fingerprint-key-0123456789".getBytes(StandardCharsets.UTF_8);

    private final DynamoDbClient dynamoDb;
    private final Map<String, String> config = new HashMap<>();
    private List<UpstreamServer> servers = List.of();
    private AuditOutbox outbox;
    private BrokerMetrics metrics = BrokerMetrics.NONE;
    private Clock clock = Clock.systemUTC();
    private UpstreamTracing upstreamTracing = UpstreamTracing.NONE;

    public InProcessBroker(DynamoDbClient dynamoDb, String stateTable, String policyTable) {
        this.dynamoDb = dynamoDb;
        config.put("broker.session.table", stateTable);
        config.put("broker.policy.table", policyTable);
        config.put("broker.session.lifetime", "PT1H");
        config.put("broker.upstream.local-development", "true"); // the demo upstreams listen on the loopback
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
        config.put("broker.idempotency.require-key", Boolean.toString(require));
        return this;
    }

    public InProcessBroker timeouts(SessionTimeouts sessionTimeouts) {
        config.put("broker.session.lifetime", sessionTimeouts.lifetime().toString());
        config.put("broker.session.idle-timeout", sessionTimeouts.idleTimeout().toString());
        config.put("broker.session.touch-interval", sessionTimeouts.touchInterval().toString());
        return this;
    }

    public InProcessBroker capacity(CapacitySettings settings) {
        config.put("broker.session.capacity.default-max-sessions", Integer.toString(settings.defaultMaxSessions()));
        config.put("broker.session.capacity.queue-depth", Integer.toString(settings.queueDepth()));
        config.put("broker.session.capacity.queue-wait", settings.queueWait().toString());
        config.put("broker.session.capacity.poll-interval", settings.pollInterval().toString());
        config.put("broker.session.capacity.initialize-lease", settings.initializeLease().toString());
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
        config.put("broker.session.warm.max-age", maxAge.toString());
        return this;
    }

    /** The exchange the broker uses, for tests that drive upstreams like the broker does. */
    public UpstreamExchange exchange() {
        return composition().upstream();
    }

    /** The warm pools, for tests that drive them like the maintenance function. */
    public WarmSessions warmSessions() {
        return composition().warmSessions();
    }

    public McpBroker build() {
        return composition().broker();
    }

    private BrokerComposition composition() {
        BrokerComposition composition = new BrokerComposition(BrokerConfigs.of(config), dynamoDb, JSON, clock)
                .servers(servers)
                .credentials(CredentialSource.NONE)
                .fingerprintKey(FINGERPRINT_KEY)
                .metrics(metrics)
                .upstreamTracing(upstreamTracing);
        return outbox == null ? composition : composition.outbox(outbox);
    }
}
