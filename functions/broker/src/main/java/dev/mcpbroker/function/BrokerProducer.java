package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.broker.BrokerMetrics;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.sessiontable.DynamoDbTaskSessionCounter;
import dev.mcpbroker.sessiontable.lease.DynamoDbLeaseStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbWarmSessionPool;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.mcp.OriginPolicy;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.TtlCache;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.metrics.OtelBrokerMetrics;
import dev.mcpbroker.function.telemetry.OtelUpstreamTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import dev.mcpbroker.function.secrets.SecretsManagerCredentialSource;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.DynamoDbRateLimiter;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.idempotency.DynamoDbIdempotencyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbUpstreamRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Wires the plain-Java broker to its adapters. */
@ApplicationScoped
public class BrokerProducer {

    /** The fingerprint key is read once, when the instance starts: a broker that cannot read it must not serve. */
    private static ArgumentFingerprinter fingerprinter(SecretsManagerClient secrets, BrokerConfig config) {
        String key = secrets.getSecretValue(b -> b.secretId(config.audit().fingerprintKeySecret())).secretString();
        return new ArgumentFingerprinter(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    JsonRpcCodec codec(ObjectMapper mapper) {
        return new JsonRpcCodec(mapper);
    }

    @Produces
    @ApplicationScoped
    OriginPolicy originPolicy(BrokerConfig config) {
        return new OriginPolicy(java.util.Set.copyOf(config.http().allowedOrigins().orElse(java.util.List.of())),
                java.util.Set.copyOf(config.http().allowedHosts().orElse(java.util.List.of())));
    }

    /** One per instance, shared by every metric sink, so all of them admit the same tool names. */
    @Produces
    @ApplicationScoped
    MetricDimensions metricDimensions(BrokerConfig config) {
        return new MetricDimensions(config.telemetry().metricToolsPerServer());
    }

    @Produces
    @ApplicationScoped
    BrokerMetrics metrics(ObjectMapper mapper, Clock clock, Meter meter, MetricDimensions dimensions) {
        return BrokerMetrics.all(java.util.List.of(
                new EmfBrokerMetrics(mapper, clock, line -> System.out.println(line), dimensions),
                new OtelBrokerMetrics(meter, dimensions)));
    }

    static SessionTimeouts sessionTimeouts(BrokerConfig config) {
        return new SessionTimeouts(config.session().lifetime(), config.session().idleTimeout(), config.session().touchInterval());
    }

    static CapacitySettings capacitySettings(BrokerConfig config) {
        BrokerConfig.Capacity capacity = config.session().capacity();
        return new CapacitySettings(capacity.defaultMaxSessions(), capacity.queueDepth(), capacity.queueWait(),
                capacity.pollInterval(), capacity.initializeLease());
    }

    @Produces
    @ApplicationScoped
    McpBroker broker(JsonRpcCodec codec, ObjectMapper mapper, DynamoDbClient dynamoDb, SecretsManagerClient secrets,
                     Clock clock, BrokerConfig config, BrokerMetrics metrics, OpenTelemetry openTelemetry) {
        String stateTable = config.session().table();
        String policyTable = config.policy().table();
        // The registry is read through the same bounded cache as grants: a kill switch reaches every
        // instance within the policy cache TTL.
        DynamoDbUpstreamRegistry registry = new DynamoDbUpstreamRegistry(dynamoDb, policyTable);
        TtlCache<String, Optional<UpstreamServer>> servers = new TtlCache<>(config.policy().cacheTtl(), clock);
        UpstreamRegistry cachedRegistry = serverId -> servers.get(serverId, registry::find);

        UpstreamExchange upstream = new UpstreamExchange(
                new HttpUpstreamClient(mapper, config.limits().maxUpstreamResponseBytes()),
                new SecretsManagerCredentialSource(secrets, mapper, config.credentials().cacheTtl(), clock), mapper,
                new OtelUpstreamTracing(openTelemetry));
        McpBroker.Ports ports = new McpBroker.Ports(
                new DynamoDbSessionStore(dynamoDb, stateTable),
                cachedRegistry,
                upstream,
                new AccessPolicy(new DynamoDbPolicyStore(dynamoDb, policyTable), config.policy().cacheTtl(), clock),
                new DynamoDbRateLimiter(dynamoDb, stateTable),
                metrics,
                new IdempotencyGuard(new DynamoDbIdempotencyStore(dynamoDb, stateTable), clock,
                        config.idempotency().lease(), config.idempotency().retention()),
                new ToolCatalog(config.idempotency().toolCatalogTtl(), clock),
                new AuditTrail(new DynamoDbAuditOutbox(dynamoDb, config.audit().outboxTable().orElse(stateTable),
                        config.audit().outboxRetention(), clock),
                        fingerprinter(secrets, config), clock),
                new SessionCapacity(new DynamoDbLeaseStore(dynamoDb, stateTable), clock, capacitySettings(config)),
                new WarmSessions(new DynamoDbWarmSessionPool(dynamoDb, stateTable), upstream, mapper, clock,
                        config.session().warm().maxAge()),
                new DynamoDbTaskSessionCounter(dynamoDb, stateTable));
        RateLimit defaultAgentRate = config.limits().defaultAgentRatePerSecond()
                .map(rate -> new RateLimit(rate, config.limits().defaultAgentBurst()))
                .orElse(null);
        return new McpBroker(codec, ports, new SessionIds(new SecureRandom()), clock,
                new BrokerSettings(sessionTimeouts(config), config.limits().maxBodyBytes(), defaultAgentRate,
                        config.idempotency().requireKey()));
    }
}
