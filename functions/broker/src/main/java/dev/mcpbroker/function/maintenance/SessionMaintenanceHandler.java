package dev.mcpbroker.function.maintenance;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.broker.SessionMaintenance;
import dev.mcpbroker.core.broker.WarmSessions;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.SessionCapacity;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.secrets.SecretsManagerCredentialSource;
import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.function.telemetry.OtelUpstreamTracing;
import io.opentelemetry.api.OpenTelemetry;
import dev.mcpbroker.sessiontable.lease.DynamoDbLeaseStore;
import dev.mcpbroker.sessiontable.lease.DynamoDbWarmSessionPool;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The session maintenance function, run by an EventBridge schedule: reaps expired capacity leases,
 * reports live sessions per server and refills the warm pools ({@link SessionMaintenance}). Like the
 * audit forwarder it is a plain handler in the broker's {@code function.zip}
 * ({@code dev.mcpbroker.function.maintenance.SessionMaintenanceHandler::handleRequest}, java21 runtime).
 * Each run is one span ({@link HandlerTelemetry}) with its DynamoDB, Secrets Manager and upstream calls as
 * children.
 */
public class SessionMaintenanceHandler {

    /** The {@code service.name} of the maintenance function's spans. */
    static final String SERVICE_NAME = "mcp-broker-session-maintenance";

    private final SessionMaintenance maintenance;
    private final HandlerTelemetry telemetry;

    /** What the Lambda runtime calls: the composition root, configured by the function's environment. */
    public SessionMaintenanceHandler() {
        this(MaintenanceConfig.from(System::getenv), HandlerTelemetry.fromEnvironment(System::getenv, SERVICE_NAME));
    }

    private SessionMaintenanceHandler(MaintenanceConfig config, HandlerTelemetry telemetry) {
        this(compose(config,
                AwsSdkTracing.traced(DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                        telemetry.openTelemetry()).build(),
                AwsSdkTracing.traced(SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()),
                        telemetry.openTelemetry()).build(),
                telemetry.openTelemetry()), telemetry);
    }

    SessionMaintenanceHandler(SessionMaintenance maintenance, HandlerTelemetry telemetry) {
        this.maintenance = maintenance;
        this.telemetry = telemetry;
    }

    /** The schedule's event carries nothing the run needs; the answer summarises the run. */
    public Map<String, Object> handleRequest(Map<String, Object> scheduledEvent, Context context) {
        return telemetry.invocation("timer", context, this::run);
    }

    private Map<String, Object> run() {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (SessionMaintenance.ServerReport report : maintenance.run()) {
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("liveSessions", report.liveSessions());
            server.put("cap", report.cap());
            server.put("reapedLeases", report.reapedLeases());
            if (report.warm() != null) {
                server.put("warmReady", report.warm().fresh());
                server.put("warmAdded", report.warm().added());
                server.put("warmDiscarded", report.warm().discarded());
            }
            if (report.failure() != null) {
                server.put("failure", report.failure());
            }
            summary.put(report.serverId(), server);
        }
        return summary;
    }

    /** The maintenance run over the function's clients (traced by the caller); upstream calls traced with {@code openTelemetry}. */
    static SessionMaintenance compose(MaintenanceConfig config, DynamoDbClient dynamoDb, SecretsManagerClient secrets,
                                      OpenTelemetry openTelemetry) {
        ObjectMapper mapper = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        DynamoDbLeaseStore leases = new DynamoDbLeaseStore(dynamoDb, config.stateTable());
        UpstreamExchange exchange = new UpstreamExchange(new HttpUpstreamClient(mapper, config.maxUpstreamResponseBytes()),
                new SecretsManagerCredentialSource(secrets, mapper, Duration.ZERO, clock), mapper,
                new OtelUpstreamTracing(openTelemetry));
        PolicyAdmin registry = new PolicyAdmin(dynamoDb, config.policyTable());
        return new SessionMaintenance(registry::listServers, leases,
                new SessionCapacity(leases, clock, new CapacitySettings(config.defaultMaxSessions(), 0, Duration.ZERO,
                        Duration.ofMillis(1), Duration.ofSeconds(1))),
                new WarmSessions(new DynamoDbWarmSessionPool(dynamoDb, config.stateTable()), exchange, mapper, clock,
                        config.warmMaxAge()),
                new EmfBrokerMetrics(mapper, clock, line -> System.out.println(line)), clock);
    }

    /**
     * The function's configuration, under the same names as the broker function's (one template parameter
     * feeds both).
     *
     * @param stateTable               {@code BROKER_SESSION_TABLE}
     * @param policyTable              {@code BROKER_POLICY_TABLE}
     * @param defaultMaxSessions       {@code BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS} (default 1000)
     * @param warmMaxAge               {@code BROKER_SESSION_WARM_MAX_AGE} (default PT5M)
     * @param maxUpstreamResponseBytes {@code BROKER_LIMITS_MAX_UPSTREAM_RESPONSE_BYTES} (default 8 MiB)
     */
    record MaintenanceConfig(String stateTable, String policyTable, int defaultMaxSessions, Duration warmMaxAge,
                             long maxUpstreamResponseBytes) {

        static MaintenanceConfig from(Function<String, String> environment) {
            return new MaintenanceConfig(
                    required(environment, "BROKER_SESSION_TABLE"),
                    required(environment, "BROKER_POLICY_TABLE"),
                    Integer.parseInt(orDefault(environment, "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS", "1000")),
                    Duration.parse(orDefault(environment, "BROKER_SESSION_WARM_MAX_AGE", "PT5M")),
                    Long.parseLong(orDefault(environment, "BROKER_LIMITS_MAX_UPSTREAM_RESPONSE_BYTES", "8388608")));
        }

        private static String required(Function<String, String> environment, String name) {
            String value = environment.apply(name);
            if (value == null || value.isBlank()) {
                throw new IllegalStateException(name + " must be set");
            }
            return value;
        }

        private static String orDefault(Function<String, String> environment, String name, String fallback) {
            String value = environment.apply(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    /** For tests: the names of the environment variables this function reads. */
    static List<String> environmentNames() {
        return List.of("BROKER_SESSION_TABLE", "BROKER_POLICY_TABLE", "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS",
                "BROKER_SESSION_WARM_MAX_AGE", "BROKER_LIMITS_MAX_UPSTREAM_RESPONSE_BYTES");
    }
}
