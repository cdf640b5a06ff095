package dev.mcpbroker.function.telemetry;

import dev.mcpbroker.core.telemetry.MetricDimensions;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Where each MCP request the function receives is traced, measured and logged: a SERVER span per request
 * ({@link McpRequest}), the semantic conventions' {@code mcp.server.operation.duration} histogram, and one
 * log line. The span is a child of the HTTP server span Quarkus opens, whose parent is the agent's
 * {@code traceparent} when it sent one.
 */
@ApplicationScoped
public class McpTelemetry {

    /** The instrumentation scope of the broker's own spans and metrics. */
    public static final String SCOPE = "dev.mcpbroker";
    /** The semantic conventions' bucket advice for MCP operation durations, in seconds. */
    public static final List<Double> DURATION_BUCKETS = List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
            60.0, 120.0, 300.0);

    private final Tracer tracer;
    private final DoubleHistogram operationDuration;
    private final MetricDimensions dimensions;

    @Inject
    public McpTelemetry(OpenTelemetry openTelemetry, MetricDimensions dimensions) {
        this.dimensions = dimensions;
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.operationDuration = openTelemetry.getMeter(SCOPE).histogramBuilder("mcp.server.operation.duration")
                .setUnit("s")
                .setDescription("MCP request or notification duration as observed on the receiver")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
    }

    /**
     * Begins the trace of one request to {@code /mcp/{server}}; the caller ends it with {@link McpRequest#end()}
     * on the same thread. It is current until then, so upstream and AWS calls become its children.
     *
     * @param httpMethod names the span until the JSON-RPC message is known
     */
    public McpRequest begin(String httpMethod, String serverId) {
        return McpRequest.begin(tracer, operationDuration, dimensions, httpMethod, serverId);
    }
}
