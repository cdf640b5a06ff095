package dev.mcpbroker.function.metrics;

import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.util.List;

/**
 * Broker metrics as OpenTelemetry instruments, exported wherever the OpenTelemetry SDK is pointed (OTLP
 * to the ADOT collector in Lambda). Names follow the OpenTelemetry conventions: dotted, unit in the
 * instrument, attributes for dimensions. Gauges observed by the maintenance function are histograms of
 * observations, so their last value and maximum are both derivable.
 */
public final class OtelBrokerMetrics implements BrokerMetrics {

    static final AttributeKey<String> SERVER = AttributeKey.stringKey("mcp.broker.server");
    static final AttributeKey<String> TOOL = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("mcp.broker.outcome");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("mcp.broker.tenant");
    static final AttributeKey<String> SCOPE = AttributeKey.stringKey("mcp.broker.rate_limit.scope");
    static final AttributeKey<String> SOURCE = AttributeKey.stringKey("mcp.broker.session.source");
    static final AttributeKey<Boolean> RETRIED = AttributeKey.booleanKey("mcp.broker.retried");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("mcp.broker.reason");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("mcp.broker.idempotency.decision");
    static final AttributeKey<String> TRANSITION = AttributeKey.stringKey("mcp.broker.idempotency.transition");
    /** Latency buckets in seconds (the MCP semantic conventions' advice), so p50 and p99 can be read from the histogram. */
    static final List<Double> LATENCY_BUCKETS = List.of(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
            60.0, 120.0, 300.0);

    private final LongCounter rateLimited;
    private final DoubleHistogram toolDuration;
    private final LongCounter sessionsOpened;
    private final DoubleHistogram queueWait;
    private final LongCounter capacityExhausted;
    private final LongHistogram sessionsPerTask;
    private final LongCounter sessionsEnded;
    private final LongCounter toolDefinitionDrift;
    private final LongCounter reopened;
    private final LongHistogram liveSessions;
    private final LongHistogram sessionCap;
    private final LongHistogram warmSessions;
    private final LongCounter denied;
    private final LongCounter idempotencyDecisions;
    private final LongCounter outcomesUnknown;
    private final LongCounter recordsNotUpdated;
    private final LongCounter auditDelivered;
    private final DoubleHistogram auditLag;
    private final LongCounter auditFailures;

    private final MetricDimensions dimensions;

    /** @param dimensions which tool names an agent called may be a {@code gen_ai.tool.name} attribute */
    public OtelBrokerMetrics(Meter meter, MetricDimensions dimensions) {
        this.dimensions = dimensions;
        rateLimited = meter.counterBuilder("mcp.broker.rate_limited").setDescription("Requests refused by a rate limit").build();
        toolDuration = meter.histogramBuilder("mcp.broker.tool.duration").setUnit("s")
                .setDescription("tools/call latency through the broker, by server, tool and outcome")
                .setExplicitBucketBoundariesAdvice(LATENCY_BUCKETS).build();
        sessionsOpened = meter.counterBuilder("mcp.broker.sessions.opened").build();
        queueWait = meter.histogramBuilder("mcp.broker.session.queue_wait").setUnit("s").build();
        capacityExhausted = meter.counterBuilder("mcp.broker.sessions.capacity_exhausted").build();
        sessionsPerTask = meter.histogramBuilder("mcp.broker.task.sessions").ofLongs()
                .setDescription("Sessions an agent task had opened, observed at each of its initializes").build();
        sessionsEnded = meter.counterBuilder("mcp.broker.sessions.ended").build();
        toolDefinitionDrift = meter.counterBuilder("mcp.broker.tool.definition.drift").build();
        reopened = meter.counterBuilder("mcp.broker.upstream.sessions_reopened").build();
        liveSessions = meter.histogramBuilder("mcp.broker.sessions.live").ofLongs().build();
        sessionCap = meter.histogramBuilder("mcp.broker.sessions.cap").ofLongs().build();
        warmSessions = meter.histogramBuilder("mcp.broker.sessions.warm").ofLongs().build();
        denied = meter.counterBuilder("mcp.broker.requests.denied")
                .setDescription("Requests refused before any upstream contact, by reason").build();
        idempotencyDecisions = meter.counterBuilder("mcp.broker.idempotency.decisions")
                .setDescription("Keyed state-changing tools/call, by what the idempotency guard decided").build();
        outcomesUnknown = meter.counterBuilder("mcp.broker.idempotency.outcomes_unknown")
                .setDescription("Keyed calls whose upstream answer never came back: outcome UNKNOWN").build();
        recordsNotUpdated = meter.counterBuilder("mcp.broker.idempotency.records_not_updated")
                .setDescription("Keyed calls whose record could not be completed, declared unknown or released").build();
        auditDelivered = meter.counterBuilder("mcp.broker.audit.events.delivered").build();
        auditLag = meter.histogramBuilder("mcp.broker.audit.delivery.lag").setUnit("s")
                .setDescription("Age of the oldest audit event of each delivered batch").build();
        auditFailures = meter.counterBuilder("mcp.broker.audit.delivery.failures").build();
    }

    @Override
    public void requestDenied(String reason) {
        denied.add(1, Attributes.of(REASON, reason));
    }

    @Override
    public void idempotencyDecision(String serverId, String decision) {
        idempotencyDecisions.add(1, Attributes.of(SERVER, serverId, DECISION, decision));
    }

    @Override
    public void idempotencyOutcomeUnknown(String serverId) {
        outcomesUnknown.add(1, Attributes.of(SERVER, serverId));
    }

    @Override
    public void idempotencyRecordNotUpdated(String serverId, String transition) {
        recordsNotUpdated.add(1, Attributes.of(SERVER, serverId, TRANSITION, transition));
    }

    @Override
    public void auditEventsForwarded(long events, Duration oldestEventAge) {
        auditDelivered.add(events);
        auditLag.record(oldestEventAge.toNanos() / 1e9);
    }

    @Override
    public void auditDeliveryFailed(long events) {
        auditFailures.add(events);
    }

    @Override
    public void rateLimited(String tenantId, String scope) {
        rateLimited.add(1, Attributes.of(TENANT, tenantId, SCOPE, scope));
    }

    @Override
    public void toolCall(String serverId, String tool, String outcome, Duration latency) {
        toolDuration.record(latency.toNanos() / 1e9, Attributes.of(SERVER, serverId, TOOL, dimensions.tool(serverId, tool),
                OUTCOME, outcome));
    }

    @Override
    public void sessionOpened(String serverId, boolean warm, Duration queued) {
        Attributes attributes = Attributes.of(SERVER, serverId, SOURCE, warm ? "warm" : "cold");
        sessionsOpened.add(1, attributes);
        queueWait.record(queued.toNanos() / 1e9, attributes);
    }

    @Override
    public void sessionCapacityExhausted(String serverId) {
        capacityExhausted.add(1, Attributes.of(SERVER, serverId));
    }

    @Override
    public void sessionsPerTask(String serverId, long sessions) {
        sessionsPerTask.record(sessions, Attributes.of(SERVER, serverId));
    }

    @Override
    public void toolDefinitionDrift(String serverId, String reason) {
        toolDefinitionDrift.add(1, Attributes.of(SERVER, serverId, REASON, reason));
    }

    @Override
    public void sessionEnded(String serverId) {
        sessionsEnded.add(1, Attributes.of(SERVER, serverId));
    }

    @Override
    public void upstreamSessionReopened(String serverId, boolean retried) {
        reopened.add(1, Attributes.of(SERVER, serverId, RETRIED, retried));
    }

    @Override
    public void liveSessions(String serverId, int live, int cap) {
        liveSessions.record(live, Attributes.of(SERVER, serverId));
        sessionCap.record(cap, Attributes.of(SERVER, serverId));
    }

    @Override
    public void warmSessions(String serverId, int ready) {
        warmSessions.record(ready, Attributes.of(SERVER, serverId));
    }
}
