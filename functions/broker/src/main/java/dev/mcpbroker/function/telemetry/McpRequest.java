package dev.mcpbroker.function.telemetry;

import static dev.mcpbroker.function.telemetry.McpAttributes.AGENT;
import static dev.mcpbroker.function.telemetry.McpAttributes.ERROR_TYPE;
import static dev.mcpbroker.function.telemetry.McpAttributes.EXECUTE_TOOL;
import static dev.mcpbroker.function.telemetry.McpAttributes.FAILURE_CLASS;
import static dev.mcpbroker.function.telemetry.McpAttributes.GEN_AI_OPERATION_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.GEN_AI_TOOL_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.IDEMPOTENCY;
import static dev.mcpbroker.function.telemetry.McpAttributes.JSONRPC_REQUEST_ID;
import static dev.mcpbroker.function.telemetry.McpAttributes.MCP_METHOD_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.MCP_PROTOCOL_VERSION;
import static dev.mcpbroker.function.telemetry.McpAttributes.MCP_SESSION_ID;
import static dev.mcpbroker.function.telemetry.McpAttributes.OUTCOME;
import static dev.mcpbroker.function.telemetry.McpAttributes.REASON;
import static dev.mcpbroker.function.telemetry.McpAttributes.RPC_RESPONSE_STATUS_CODE;
import static dev.mcpbroker.function.telemetry.McpAttributes.SERVER;
import static dev.mcpbroker.function.telemetry.McpAttributes.TENANT;
import static dev.mcpbroker.function.telemetry.McpAttributes.UPSTREAM_REOPENED;
import static dev.mcpbroker.function.telemetry.McpAttributes.UPSTREAM_RESENT;

import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.telemetry.IdempotencyDecision;
import dev.mcpbroker.core.telemetry.MetricDimensions;
import dev.mcpbroker.core.telemetry.RequestOutcome;
import dev.mcpbroker.core.telemetry.RequestTrace;
import dev.mcpbroker.core.telemetry.TraceContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One MCP request as traces, metrics and logs see it: the SERVER span named after the semantic conventions
 * ({@code tools/call transfer}, {@code initialize}), the {@code mcp.server.operation.duration} measurement
 * and one line on the {@value #LOGGER} logger, all with the same attributes.
 *
 * <p>Context an agent carried in {@code params._meta} is linked, not made the parent: the span exists from
 * the moment the request arrives (before its body is read), as a child of the HTTP server span, which
 * already continues the agent's {@code traceparent} header when there is one.
 */
public final class McpRequest implements RequestTrace {

    /** The request log: one line per MCP request, its facts in the MDC. */
    public static final String LOGGER = "dev.mcpbroker.request";
    private static final Logger LOG = Logger.getLogger(LOGGER);
    /** The longest text an agent chose that a span or log line keeps ({@link #capped}). */
    static final int MAX_TEXT = 128;
    private static final TextMapGetter<Map<String, String>> FIELDS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Span span;
    private final Scope scope;
    private final DoubleHistogram duration;
    private final long startedNanos;
    private final MetricDimensions dimensions;
    private final String httpMethod;
    private final String serverId;
    private String registeredServer;
    private String method;
    private String tool;
    private String agent;
    private String tenant;
    private String sessionHash;
    private String protocolVersion;
    private IdempotencyDecision idempotency;
    private long reopened;
    private RequestOutcome outcome = RequestOutcome.OK;
    private int httpStatus = 200;

    private McpRequest(Span span, DoubleHistogram duration, MetricDimensions dimensions, String httpMethod, String serverId) {
        this.span = span;
        this.dimensions = dimensions;
        this.scope = span.makeCurrent();
        this.duration = duration;
        this.startedNanos = System.nanoTime();
        this.httpMethod = httpMethod;
        this.serverId = serverId;
    }

    static McpRequest begin(Tracer tracer, DoubleHistogram duration, MetricDimensions dimensions, String httpMethod,
                            String serverId) {
        String server = capped(serverId);
        Span span = tracer.spanBuilder("mcp " + httpMethod)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(SERVER, server)
                .startSpan();
        return new McpRequest(span, duration, dimensions, httpMethod, server);
    }

    /**
     * Text an agent chose (a method, tool or server name, a request id), as a span attribute or log field:
     * at most {@value #MAX_TEXT} characters, so a request cannot make its own telemetry arbitrarily large.
     */
    static String capped(String text) {
        if (text == null || text.length() <= MAX_TEXT) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
        return text.substring(0, end) + "…";
    }

    @Override
    public void message(String agentsMethod, String agentsRequestId, String agentsTool, TraceContext carried) {
        String jsonRpcMethod = capped(agentsMethod);
        String requestId = capped(agentsRequestId);
        String calledTool = capped(agentsTool);
        this.method = jsonRpcMethod;
        this.tool = calledTool;
        if (jsonRpcMethod == null) {
            span.updateName("jsonrpc response");
            return;
        }
        span.updateName(calledTool == null ? jsonRpcMethod : jsonRpcMethod + " " + calledTool);
        span.setAttribute(MCP_METHOD_NAME, jsonRpcMethod);
        if (requestId != null) {
            span.setAttribute(JSONRPC_REQUEST_ID, requestId);
        }
        if (calledTool != null) {
            span.setAttribute(GEN_AI_TOOL_NAME, calledTool);
            span.setAttribute(GEN_AI_OPERATION_NAME, EXECUTE_TOOL);
        }
        if (!carried.isEmpty()) {
            SpanContext agentContext = Span.fromContext(W3CTraceContextPropagator.getInstance()
                    .extract(Context.root(), carried.fields(), FIELDS)).getSpanContext();
            if (agentContext.isValid()) {
                span.addLink(agentContext);
            }
        }
    }

    @Override
    public void server(String serverId) {
        this.registeredServer = serverId;
    }

    @Override
    public void caller(String agentId, String tenantId) {
        this.agent = agentId;
        this.tenant = tenantId;
        span.setAttribute(AGENT, agentId);
        if (tenantId != null) {
            span.setAttribute(TENANT, tenantId);
        }
    }

    @Override
    public void session(String hash) {
        this.sessionHash = hash;
        span.setAttribute(MCP_SESSION_ID, hash);
    }

    @Override
    public void protocolVersion(String version) {
        if (version != null) {
            this.protocolVersion = version;
            span.setAttribute(MCP_PROTOCOL_VERSION, version);
        }
    }

    @Override
    public void idempotency(IdempotencyDecision decision) {
        this.idempotency = decision;
        span.setAttribute(IDEMPOTENCY, decision.wireName());
    }

    @Override
    public void upstreamSessionReopened(boolean resent) {
        reopened++;
        span.setAttribute(UPSTREAM_REOPENED, reopened);
        span.setAttribute(UPSTREAM_RESENT, resent);
        span.addEvent("upstream session reopened", Attributes.of(UPSTREAM_RESENT, resent));
    }

    @Override
    public String traceId() {
        SpanContext context = span.getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    /** The broker answered; returns the answer. */
    public BrokerResponse answered(BrokerResponse response) {
        this.outcome = RequestOutcome.of(response.body().orElse(null));
        this.httpStatus = response.status();
        return response;
    }

    /** The request failed with {@code failure}, the broker's or anything unexpected. */
    public void failed(Throwable failure) {
        if (failure instanceof BrokerException broker) {
            this.outcome = RequestOutcome.of(broker);
            this.httpStatus = broker.code().httpStatus();
        } else {
            this.outcome = new RequestOutcome(FailureClass.AMBIGUOUS.wireName(), "_OTHER", ErrorCode.INTERNAL_ERROR.reason(),
                    FailureClass.AMBIGUOUS);
            this.httpStatus = ErrorCode.INTERNAL_ERROR.httpStatus();
        }
    }

    /** Records the outcome on the span, measures the operation, writes the request's log line, ends the span. */
    public void end() {
        long elapsedNanos = System.nanoTime() - startedNanos;
        try {
            span.setAttribute(OUTCOME, outcome.outcome());
            if (outcome.failed()) {
                span.setAttribute(ERROR_TYPE, outcome.errorType());
                if (!RequestOutcome.TOOL_ERROR.equals(outcome.errorType())) {
                    span.setAttribute(RPC_RESPONSE_STATUS_CODE, outcome.errorType());
                }
                if (outcome.failureClass() != null) {
                    span.setAttribute(FAILURE_CLASS, outcome.failureClass().wireName());
                }
                if (outcome.reason() != null) {
                    span.setAttribute(REASON, outcome.reason());
                }
                // The broker's stable reason only: an upstream's error message may quote the arguments.
                span.setStatus(StatusCode.ERROR, outcome.reason() == null ? "" : outcome.reason());
            }
            if (method != null) {
                duration.record(elapsedNanos / 1e9, metricAttributes());
            }
            log(elapsedNanos / 1_000_000);
        } finally {
            scope.close();
            span.end();
        }
    }

    /**
     * The semantic conventions' operation attributes; no session or request ids, and names an agent chose only
     * as far as {@link MetricDimensions} lets them be dimensions (a path naming no registered server is
     * {@link MetricDimensions#OTHER}).
     */
    private Attributes metricAttributes() {
        String server = registeredServer == null ? MetricDimensions.OTHER : registeredServer;
        AttributesBuilder attributes = Attributes.builder().put(MCP_METHOD_NAME, dimensions.method(method)).put(SERVER, server);
        if (tool != null) {
            attributes.put(GEN_AI_TOOL_NAME, registeredServer == null ? MetricDimensions.OTHER : dimensions.tool(server, tool))
                    .put(GEN_AI_OPERATION_NAME, EXECUTE_TOOL);
        }
        if (outcome.failed()) {
            attributes.put(ERROR_TYPE, outcome.errorType());
        }
        if (protocolVersion != null) {
            attributes.put(MCP_PROTOCOL_VERSION, protocolVersion);
        }
        return attributes.build();
    }

    /** One line per request; its facts go in the MDC, so the JSON log has them as fields next to traceId and spanId. */
    private void log(long latencyMillis) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("server", serverId);
        fields.put("method", method == null ? httpMethod : method);
        fields.put("tool", tool);
        fields.put("outcome", outcome.outcome());
        fields.put("errorType", outcome.errorType());
        fields.put("failureClass", outcome.failureClass() == null ? null : outcome.failureClass().wireName());
        fields.put("reason", outcome.reason());
        fields.put("httpStatus", Integer.toString(httpStatus));
        fields.put("latencyMs", Long.toString(latencyMillis));
        fields.put("agent", agent);
        fields.put("tenant", tenant);
        fields.put("session", sessionHash);
        fields.put("idempotency", idempotency == null ? null : idempotency.wireName());
        fields.put("upstreamReopened", reopened == 0 ? null : Long.toString(reopened));
        fields.values().removeIf(java.util.Objects::isNull);
        fields.forEach(MDC::put);
        try {
            LOG.infof("%s %s%s: %s%s (HTTP %d) in %d ms", serverId, fields.get("method"), tool == null ? "" : " " + tool,
                    outcome.outcome(), outcome.reason() == null ? "" : " " + outcome.reason(), httpStatus, latencyMillis);
        } finally {
            fields.keySet().forEach(MDC::remove);
        }
    }
}
