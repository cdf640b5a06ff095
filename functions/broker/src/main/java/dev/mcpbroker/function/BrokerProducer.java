package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.mcp.OriginPolicy;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.metrics.OtelBrokerMetrics;
import dev.mcpbroker.function.telemetry.OtelUpstreamTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import dev.mcpbroker.function.auth.AuthConfig;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Gives the broker function's beans their parts; the broker itself is assembled by {@link BrokerComposition}. */
@ApplicationScoped
public class BrokerProducer {

    private static final String ANY_HOST = "*";

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
    OriginPolicy originPolicy(BrokerConfig config, AuthConfig auth) {
        return new OriginPolicy(Set.copyOf(config.http().allowedOrigins().orElse(List.of())),
                servedHosts(config.http().allowedHosts(), auth.resource()));
    }

    /**
     * The hosts configured, or else the host of the broker's resource URL: the name agents are told to use is the
     * only one a request legitimately carries. {@code *} opts out (any host).
     */
    public static Set<String> servedHosts(Optional<List<String>> configured, URI resource) {
        List<String> hosts = configured.orElseGet(() -> resource.getHost() == null ? List.of() : List.of(resource.getHost()));
        return hosts.contains(ANY_HOST) ? Set.of() : Set.copyOf(hosts);
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
        return BrokerMetrics.all(List.of(
                new EmfBrokerMetrics(mapper, clock, line -> System.out.println(line), dimensions),
                new OtelBrokerMetrics(meter, dimensions)));
    }

    @Produces
    @ApplicationScoped
    McpBroker broker(ObjectMapper mapper, DynamoDbClient dynamoDb, SecretsManagerClient secrets, Clock clock,
                     BrokerConfig config, BrokerMetrics metrics, OpenTelemetry openTelemetry) {
        return new BrokerComposition(config, dynamoDb, mapper, clock)
                .secrets(secrets)
                .metrics(metrics)
                .upstreamTracing(new OtelUpstreamTracing(openTelemetry))
                .broker();
    }
}
