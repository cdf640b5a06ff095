package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditForwarder;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.audit.AuditPublisher;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.broker.BrokerPorts;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.broker.SessionMaintenance;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.SeparatelyAudited;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.idempotency.UpstreamKeys;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.pinning.PinnedTools;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.TtlCache;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import dev.mcpbroker.core.time.Sleeper;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamEndpoints;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.secrets.SecretsManagerCredentialSource;
import dev.mcpbroker.sessiontable.DynamoDbRateLimiter;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.sessiontable.DynamoDbTaskOwners;
import dev.mcpbroker.sessiontable.DynamoDbTaskSessionCounter;
import dev.mcpbroker.sessiontable.audit.ChainHeads;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.idempotency.DynamoDbIdempotencyStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbLeaseStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbWarmSessionPool;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbToolApprovals;
import dev.mcpbroker.sessiontable.policy.DynamoDbUpstreamRegistry;
import dev.mcpbroker.sessiontable.policy.DynamoDbVirtualServerRegistry;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The one composition root: the plain-Java broker, session maintenance and audit forwarder over the DynamoDB
 * adapters, configured by {@link BrokerConfig}. The broker function's producer, the two plain handlers, tests and
 * benchmarks all assemble through here, replacing only what they must (a registry of their own, a failing outbox,
 * a fixed fingerprint key) so what they run is what the functions run.
 */
public final class BrokerComposition {

    private final BrokerConfig config;
    private final DynamoDbClient dynamoDb;
    private final ObjectMapper mapper;
    private final Clock clock;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private BrokerMetrics metrics = BrokerMetrics.NONE;
    private UpstreamTracing upstreamTracing = UpstreamTracing.NONE;
    private CredentialSource credentials;
    private Supplier<byte[]> auditKey;
    private UpstreamRegistry registry;
    private Supplier<List<UpstreamServer>> allServers;
    private AuditOutbox outbox;
    /* One instance's beliefs about audit chain heads: its outbox writes them, its session store reads them. */
    private final ChainHeads chainHeads = new ChainHeads();
    private UpstreamExchange upstream;

    public BrokerComposition(BrokerConfig config, DynamoDbClient dynamoDb, ObjectMapper mapper, Clock clock) {
        this.config = Objects.requireNonNull(config);
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.mapper = Objects.requireNonNull(mapper);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Upstream credentials resolved from Secrets Manager per call (cached for {@code broker.credentials.cache-ttl}),
     * and the broker's key (argument fingerprints, the idempotency keys sent upstream) read from it once, when the
     * broker is built: a broker that cannot read the key must not serve.
     */
    public BrokerComposition secrets(SecretsManagerClient secrets) {
        this.credentials = new SecretsManagerCredentialSource(secrets, mapper, config.credentials().cacheTtl(), clock);
        this.auditKey = () -> secrets.getSecretValue(b -> b.secretId(config.audit().fingerprintKeySecret())).secretString()
                .getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public BrokerComposition credentials(CredentialSource source) {
        this.credentials = Objects.requireNonNull(source);
        return this;
    }

    /** A fixed key for argument fingerprints and upstream idempotency keys, instead of the Secrets Manager one. */
    public BrokerComposition fingerprintKey(byte[] key) {
        byte[] fixed = key.clone();
        this.auditKey = () -> fixed;
        return this;
    }

    public BrokerComposition metrics(BrokerMetrics brokerMetrics) {
        this.metrics = Objects.requireNonNull(brokerMetrics);
        return this;
    }

    public BrokerComposition upstreamTracing(UpstreamTracing tracing) {
        this.upstreamTracing = Objects.requireNonNull(tracing);
        return this;
    }

    public BrokerComposition sleeper(Sleeper waiting) {
        this.sleeper = Objects.requireNonNull(waiting);
        return this;
    }

    /** Upstream servers from a list instead of the policy table's registry. */
    public BrokerComposition servers(List<UpstreamServer> servers) {
        List<UpstreamServer> copy = List.copyOf(servers);
        this.registry = id -> copy.stream().filter(server -> server.id().equals(id)).findFirst();
        this.allServers = () -> copy;
        return this;
    }

    public BrokerComposition outbox(AuditOutbox auditOutbox) {
        this.outbox = Objects.requireNonNull(auditOutbox);
        return this;
    }

    /** The request path. */
    public McpBroker broker() {
        String state = config.session().table();
        byte[] key = required(auditKey, "a fingerprint key").get();
        AuditOutbox outbox = outbox();
        AuditTrail audit = new AuditTrail(outbox, new ArgumentFingerprinter(key), clock);
        DynamoDbIdempotencyStore records = new DynamoDbIdempotencyStore(dynamoDb, state);
        // On DynamoDB a session is read with its chain's head, a claim written with its intent and a completion with
        // its outcome: the round trips a call costs (README, "Measured").
        boolean oneTransaction = outbox instanceof DynamoDbAuditOutbox;
        BrokerPorts ports = new BrokerPorts(
                oneTransaction ? new DynamoDbSessionStore(dynamoDb, state, chainHeads, ((DynamoDbAuditOutbox) outbox).tableName())
                        : new DynamoDbSessionStore(dynamoDb, state),
                registry(),
                upstream(),
                new AccessPolicy(new DynamoDbPolicyStore(dynamoDb, config.policy().table()), config.policy().cacheTtl(), clock),
                new DynamoDbRateLimiter(dynamoDb, state),
                metrics,
                new IdempotencyGuard(oneTransaction ? records.audited((DynamoDbAuditOutbox) outbox)
                        : new SeparatelyAudited(records, outbox), clock, config.idempotency().lease(),
                        config.idempotency().retention()),
                new ToolCatalog(config.idempotency().toolCatalogTtl(), clock),
                audit,
                capacity(),
                warmSessions(),
                new DynamoDbTaskSessionCounter(dynamoDb, state),
                new DynamoDbTaskOwners(dynamoDb, state),
                new UpstreamKeys(key),
                new PinnedTools(new DynamoDbToolApprovals(dynamoDb, config.policy().table(), clock),
                        config.policy().cacheTtl(), config.idempotency().liveToolsTtl(), clock),
                virtualServers());
        return new McpBroker(new JsonRpcCodec(mapper), ports, new SessionIds(new SecureRandom()), clock, settings());
    }

    /** The scheduled side of sessions: lease reaping, live-session gauges, warm pools. */
    public SessionMaintenance maintenance() {
        Supplier<List<UpstreamServer>> servers = allServers != null ? allServers
                : new PolicyAdmin(dynamoDb, config.policy().table())::listServers;
        return new SessionMaintenance(servers, new DynamoDbLeaseStore(dynamoDb, config.session().table()), capacity(),
                warmSessions(), metrics, clock);
    }

    /** The outbox's delivery to the audit stream. */
    public AuditForwarder forwarder(AuditPublisher publisher) {
        return new AuditForwarder(publisher, outbox(), metrics, clock);
    }

    /** Every exchange with upstreams: credentials, affinity, redaction, failure classes, tracing. */
    public UpstreamExchange upstream() {
        if (upstream == null) {
            upstream = new UpstreamExchange(new HttpUpstreamClient(mapper, config.limits().maxUpstreamResponseBytes(),
                    config.upstream().listenWindow()),
                    required(credentials, "an upstream credential source"), mapper, upstreamTracing,
                    UpstreamEndpoints.of(config.upstream().localDevelopment()));
        }
        return upstream;
    }

    public WarmSessions warmSessions() {
        return new WarmSessions(new DynamoDbWarmSessionPool(dynamoDb, config.session().table()), upstream(), mapper, clock,
                config.session().warm().maxAge());
    }

    private SessionCapacity capacity() {
        BrokerConfig.Capacity capacity = config.session().capacity();
        return new SessionCapacity(new DynamoDbLeaseStore(dynamoDb, config.session().table()), clock, sleeper,
                new CapacitySettings(capacity.defaultMaxSessions(), capacity.queueDepth(), capacity.queueWait(),
                        capacity.pollInterval(), capacity.initializeLease()));
    }

    private AuditOutbox outbox() {
        if (outbox == null) {
            outbox = new DynamoDbAuditOutbox(dynamoDb, config.audit().outboxTable().orElse(config.session().table()),
                    config.audit().outboxRetention(), clock, sleeper, chainHeads);
        }
        return outbox;
    }

    /** The registry, read through the policy cache: a kill switch reaches every instance within its TTL. */
    private UpstreamRegistry registry() {
        if (registry != null) {
            return registry;
        }
        DynamoDbUpstreamRegistry table = new DynamoDbUpstreamRegistry(dynamoDb, config.policy().table());
        TtlCache<String, Optional<UpstreamServer>> cached = new TtlCache<>(config.policy().cacheTtl(), clock);
        return serverId -> cached.get(serverId, table::find);
    }

    /** Virtual servers, read through the policy cache like the registry: a new definition reaches every instance within its TTL. */
    private VirtualServerRegistry virtualServers() {
        DynamoDbVirtualServerRegistry table = new DynamoDbVirtualServerRegistry(dynamoDb, config.policy().table(), clock);
        TtlCache<String, Optional<VirtualServer>> cached = new TtlCache<>(config.policy().cacheTtl(), clock);
        return new VirtualServerRegistry() {
            @Override
            public Optional<VirtualServer> find(String name) {
                return cached.get(name, table::find);
            }

            @Override
            public List<VirtualServer> all() {
                return table.all();
            }

            @Override
            public void define(VirtualServer server, boolean replace) {
                throw new UnsupportedOperationException("the broker only reads virtual servers");
            }

            @Override
            public void remove(String name) {
                throw new UnsupportedOperationException("the broker only reads virtual servers");
            }
        };
    }

    private BrokerSettings settings() {
        BrokerConfig.Session session = config.session();
        RateLimit defaultAgentRate = config.limits().defaultAgentRatePerSecond()
                .map(rate -> new RateLimit(rate, config.limits().defaultAgentBurst()))
                .orElse(null);
        return new BrokerSettings(new SessionTimeouts(session.lifetime(), session.idleTimeout(), session.touchInterval()),
                config.limits().maxBodyBytes(), defaultAgentRate, config.idempotency().requireKey(),
                config.upstream().learningTtl(), config.policy().cacheTtl());
    }

    private static <T> T required(T part, String what) {
        if (part == null) {
            throw new IllegalStateException("the broker needs " + what + ": set it on the composition");
        }
        return part;
    }
}
