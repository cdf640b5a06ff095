package dev.mcpbroker.function.telemetry;

import static dev.mcpbroker.function.telemetry.McpAttributes.ERROR_TYPE;
import static dev.mcpbroker.function.telemetry.McpAttributes.EXECUTE_TOOL;
import static dev.mcpbroker.function.telemetry.McpAttributes.GEN_AI_OPERATION_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.GEN_AI_TOOL_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.HTTP_REQUEST_METHOD;
import static dev.mcpbroker.function.telemetry.McpAttributes.HTTP_RESPONSE_STATUS_CODE;
import static dev.mcpbroker.function.telemetry.McpAttributes.MCP_METHOD_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.NETWORK_PROTOCOL_NAME;
import static dev.mcpbroker.function.telemetry.McpAttributes.RPC_RESPONSE_STATUS_CODE;
import static dev.mcpbroker.function.telemetry.McpAttributes.SERVER;
import static dev.mcpbroker.function.telemetry.McpAttributes.SERVER_ADDRESS;
import static dev.mcpbroker.function.telemetry.McpAttributes.SERVER_PORT;

import dev.mcpbroker.core.telemetry.RequestOutcome;
import dev.mcpbroker.core.telemetry.TraceContext;
import dev.mcpbroker.core.telemetry.UpstreamTrace;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * A CLIENT span per exchange with an upstream, child of whatever is current (the MCP request's span), named
 * like the request's ({@code tools/call transfer}). Only W3C trace context leaves the broker: no baggage,
 * no vendor headers, nothing of the agent's own context beyond the trace it belongs to. The endpoint is
 * recorded as host and port only; a registered URL may carry a key in its query.
 */
public final class OtelUpstreamTracing implements UpstreamTracing {

    private final Tracer tracer;

    public OtelUpstreamTracing(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer(McpTelemetry.SCOPE);
    }

    @Override
    public UpstreamTrace begin(String serverId, URI endpoint, String method, String tool) {
        SpanBuilder builder = tracer.spanBuilder(method == null ? "DELETE" : tool == null ? method : method + " " + tool)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(SERVER, serverId)
                .setAttribute(NETWORK_PROTOCOL_NAME, "http")
                .setAttribute(HTTP_REQUEST_METHOD, method == null ? "DELETE" : "POST");
        if (endpoint.getHost() != null) {
            builder.setAttribute(SERVER_ADDRESS, endpoint.getHost());
            builder.setAttribute(SERVER_PORT, (long) (endpoint.getPort() > 0 ? endpoint.getPort()
                    : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80));
        }
        if (method != null) {
            builder.setAttribute(MCP_METHOD_NAME, method);
        }
        if (tool != null) {
            builder.setAttribute(GEN_AI_TOOL_NAME, tool).setAttribute(GEN_AI_OPERATION_NAME, EXECUTE_TOOL);
        }
        Span span = builder.startSpan();
        Map<String, String> fields = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current().with(span), fields, Map::put);
        TraceContext context = new TraceContext(fields);
        return new UpstreamTrace() {
            @Override
            public TraceContext context() {
                return context;
            }

            @Override
            public void answered(int httpStatus, String errorType) {
                if (httpStatus > 0) {
                    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) httpStatus);
                }
                if (errorType != null) {
                    span.setAttribute(ERROR_TYPE, errorType);
                    if (!RequestOutcome.TOOL_ERROR.equals(errorType)) {
                        span.setAttribute(RPC_RESPONSE_STATUS_CODE, errorType);
                    }
                    span.setStatus(StatusCode.ERROR);
                }
            }

            @Override
            public void failed(String errorType, int httpStatus) {
                if (httpStatus > 0) {
                    span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) httpStatus);
                }
                span.setAttribute(ERROR_TYPE, errorType);
                span.setStatus(StatusCode.ERROR, errorType);
            }

            @Override
            public void end() {
                span.end();
            }
        };
    }
}
