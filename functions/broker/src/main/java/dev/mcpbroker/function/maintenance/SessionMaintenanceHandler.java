package dev.mcpbroker.function.maintenance;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.broker.SessionMaintenance;
import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.BrokerComposition;
import dev.mcpbroker.function.BrokerConfig;
import dev.mcpbroker.function.BrokerConfigs;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.telemetry.HandlerTelemetry;
import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import dev.mcpbroker.function.telemetry.LambdaResource;
import dev.mcpbroker.function.telemetry.OtelUpstreamTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** What the Lambda runtime calls: configured by the function's environment, as the broker function is. */
    public SessionMaintenanceHandler() {
        this(BrokerConfigs.fromEnvironment(), BrokerConfigs.mappingFromEnvironment(HandlerTelemetryConfig.class),
                LambdaResource.of(System::getenv));
    }

    private SessionMaintenanceHandler(BrokerConfig config, HandlerTelemetryConfig telemetry, Resource lambda) {
        this(config, HandlerTelemetry.from(telemetry, config.telemetry().flushTimeout(), lambda, SERVICE_NAME));
    }

    /** The handler over the clients {@code config} describes, traced by {@code telemetry}. */
    SessionMaintenanceHandler(BrokerConfig config, HandlerTelemetry telemetry) {
        this(compose(config, new AwsClients(config.aws(), telemetry.openTelemetry()), telemetry.openTelemetry()), telemetry);
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
    static SessionMaintenance compose(BrokerConfig config, AwsClients clients, OpenTelemetry openTelemetry) {
        ObjectMapper mapper = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        return new BrokerComposition(config, clients.dynamoDb(), mapper, clock)
                .secrets(clients.secretsManager())
                .metrics(new EmfBrokerMetrics(mapper, clock, line -> System.out.println(line)))
                .upstreamTracing(new OtelUpstreamTracing(openTelemetry))
                .maintenance();
    }
}
