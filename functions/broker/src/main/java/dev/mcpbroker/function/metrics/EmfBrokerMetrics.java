package dev.mcpbroker.function.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Broker metrics as CloudWatch embedded metric format (EMF) lines. In Lambda, a JSON line on standard
 * output in this format becomes a metric without any API call on the request path; elsewhere it is a
 * readable structured log line. One line per event keeps the function stateless.
 *
 * <p>Dimension sets are chosen for the questions asked of them: per server and tool for latency, per
 * outcome for errors by failure class, none (one series across servers) where an alarm must cover every
 * server registered now or later. Dimension values are registry ids and stable codes; values an
 * unauthenticated caller chooses (a path's server name) never become a dimension, and tool names an agent
 * called only as far as {@link MetricDimensions} admits them.
 */
public final class EmfBrokerMetrics implements BrokerMetrics {

    public static final String NAMESPACE = "McpBroker";

    private final ObjectMapper mapper;
    private final Clock clock;
    private final Consumer<String> sink;
    private final MetricDimensions dimensions;

    /**
     * For functions that report no tool calls (the audit forwarder, session maintenance).
     *
     * @param sink where lines go; standard output in Lambda (read at each call, so tests may redirect it)
     */
    public EmfBrokerMetrics(ObjectMapper mapper, Clock clock, Consumer<String> sink) {
        this(mapper, clock, sink, new MetricDimensions(0));
    }

    /**
     * @param sink       where lines go; standard output in Lambda (read at each call, so tests may redirect it)
     * @param dimensions which tool names an agent called may be a Tool dimension
     */
    public EmfBrokerMetrics(ObjectMapper mapper, Clock clock, Consumer<String> sink, MetricDimensions dimensions) {
        this.mapper = mapper;
        this.clock = clock;
        this.sink = sink;
        this.dimensions = dimensions;
    }

    /** One metric value of an EMF line. */
    private record Value(String name, String unit, double value) {
    }

    @Override
    public void rateLimited(String tenantId, String scope) {
        emit(Map.of("Tenant", tenantId, "Scope", scope), List.of(List.of("Tenant", "Scope")),
                new Value("RateLimited", "Count", 1));
    }

    @Override
    public void toolCall(String serverId, String tool, String outcome, Duration latency) {
        emit(Map.of("Server", serverId, "Tool", dimensions.tool(serverId, tool), "Outcome", outcome),
                List.of(List.of("Server", "Tool"), List.of("Server", "Tool", "Outcome"), List.of("Outcome"), List.of()),
                new Value("ToolCalls", "Count", 1), new Value("ToolLatency", "Milliseconds", latency.toNanos() / 1e6));
    }

    @Override
    public void virtualMemberOmitted(String virtualServer, String serverId, String reason) {
        emit(Map.of("VirtualServer", virtualServer, "Server", serverId, "Reason", reason),
                List.of(List.of("VirtualServer", "Server"), List.of("Reason")), new Value("VirtualMembersOmitted", "Count", 1));
    }

    @Override
    public void requestDenied(String reason) {
        emit(Map.of("Reason", reason), List.of(List.of("Reason"), List.of()), new Value("RequestsDenied", "Count", 1));
    }

    @Override
    public void idempotencyDecision(String serverId, String decision) {
        emit(Map.of("Server", serverId, "Decision", decision), List.of(List.of("Server", "Decision"), List.of("Decision")),
                new Value("IdempotencyDecisions", "Count", 1));
    }

    @Override
    public void idempotencyOutcomeUnknown(String serverId) {
        emit(Map.of("Server", serverId), List.of(List.of("Server"), List.of()),
                new Value("IdempotencyOutcomesUnknown", "Count", 1));
    }

    @Override
    public void idempotencyRecordNotUpdated(String serverId, String transition) {
        emit(Map.of("Server", serverId, "Transition", transition),
                List.of(List.of("Server", "Transition"), List.of()), new Value("IdempotencyRecordsNotUpdated", "Count", 1));
    }

    @Override
    public void auditEventsForwarded(long events, Duration oldestEventAge) {
        emit(Map.of(), List.of(List.of()), new Value("AuditEventsDelivered", "Count", events),
                new Value("AuditDeliveryLag", "Milliseconds", oldestEventAge.toMillis()));
    }

    @Override
    public void auditDeliveryFailed(long events) {
        emit(Map.of(), List.of(List.of()), new Value("AuditDeliveryFailures", "Count", events));
    }

    @Override
    public void sessionOpened(String serverId, boolean warm, Duration queued) {
        emit(Map.of("Server", serverId, "Source", warm ? "warm" : "cold"),
                List.of(List.of("Server"), List.of("Server", "Source")),
                new Value("SessionsOpened", "Count", 1), new Value("SessionQueueWait", "Milliseconds", queued.toMillis()));
    }

    @Override
    public void sessionCapacityExhausted(String serverId) {
        emit(Map.of("Server", serverId), List.of(List.of("Server"), List.of()),
                new Value("SessionCapacityExhausted", "Count", 1));
    }

    @Override
    public void sessionsPerTask(String serverId, long sessions) {
        emit(Map.of("Server", serverId), List.of(List.of("Server"), List.of()),
                new Value("SessionsPerTask", "Count", sessions));
    }

    @Override
    public void toolDefinitionDrift(String serverId, String reason) {
        emit(Map.of("Server", serverId, "Reason", reason), List.of(List.of("Server"), List.of("Server", "Reason")),
                new Value("ToolDefinitionDrift", "Count", 1));
    }

    @Override
    public void sessionEnded(String serverId) {
        emit(Map.of("Server", serverId), List.of(List.of("Server")), new Value("SessionsEnded", "Count", 1));
    }

    @Override
    public void upstreamSessionReopened(String serverId, boolean retried) {
        emit(Map.of("Server", serverId, "Retried", Boolean.toString(retried)),
                List.of(List.of("Server"), List.of("Server", "Retried")),
                new Value("UpstreamSessionsReopened", "Count", 1));
    }

    @Override
    public void liveSessions(String serverId, int live, int cap) {
        emit(Map.of("Server", serverId), List.of(List.of("Server"), List.of()),
                new Value("LiveSessions", "Count", live), new Value("SessionCap", "Count", cap),
                new Value("SessionCapUtilization", "None", cap == 0 ? 0 : (double) live / cap));
    }

    @Override
    public void warmSessions(String serverId, int ready) {
        emit(Map.of("Server", serverId), List.of(List.of("Server")), new Value("WarmSessionsReady", "Count", ready));
    }

    private void emit(Map<String, String> dimensions, List<List<String>> dimensionSets, Value... values) {
        ObjectNode line = mapper.createObjectNode();
        ObjectNode aws = line.putObject("_aws").put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject().put("Namespace", NAMESPACE);
        ArrayNode sets = directive.putArray("Dimensions");
        dimensionSets.forEach(set -> set.forEach(sets.addArray()::add));
        ArrayNode metrics = directive.putArray("Metrics");
        dimensions.forEach(line::put);
        for (Value value : values) {
            metrics.addObject().put("Name", value.name()).put("Unit", value.unit());
            if (value.value() == Math.rint(value.value())) {
                line.put(value.name(), (long) value.value());
            } else {
                line.put(value.name(), value.value());
            }
        }
        sink.accept(line.toString());
    }
}
