package dev.mcpbroker.function.telemetry;

import com.amazonaws.services.lambda.runtime.Context;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.contrib.awsxray.propagator.AwsXrayLambdaPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * OpenTelemetry for the functions that are plain Lambda handlers (the audit forwarder, session maintenance),
 * which have no Quarkus to build an SDK for them. Each invocation is one SERVER span named after the function
 * (FaaS semantic conventions), a child of Lambda's own X-Ray segment when tracing is active, with the AWS SDK
 * and upstream calls made during it as children. Spans go over OTLP/HTTP to the collector layer
 * (localhost:4318; the JDK's HTTP client, no extra transport) and are flushed before the invocation returns,
 * because Lambda may freeze or reap the environment as soon as it does.
 */
public final class HandlerTelemetry {

    static final AttributeKey<String> FAAS_TRIGGER = AttributeKey.stringKey("faas.trigger");
    static final AttributeKey<String> FAAS_INVOCATION_ID = AttributeKey.stringKey("faas.invocation_id");
    static final AttributeKey<String> CLOUD_RESOURCE_ID = AttributeKey.stringKey("cloud.resource_id");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private static final TextMapGetter<Void> NOTHING = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Void carrier) {
            return Set.of();
        }

        @Override
        public String get(Void carrier, String key) {
            return null;
        }
    };

    private final OpenTelemetry openTelemetry;
    private final SdkTracerProvider tracerProvider;
    private final Tracer tracer;
    private final String spanName;
    private final Duration flushTimeout;

    private HandlerTelemetry(OpenTelemetry openTelemetry, SdkTracerProvider tracerProvider, String spanName,
                             Duration flushTimeout) {
        this.openTelemetry = openTelemetry;
        this.tracerProvider = tracerProvider;
        this.tracer = openTelemetry.getTracer(McpTelemetry.SCOPE);
        this.spanName = spanName;
        this.flushTimeout = flushTimeout;
    }

    /**
     * What the function's configuration asks for.
     *
     * @param flushTimeout how long an invocation waits to deliver its spans ({@code broker.telemetry.flush-timeout})
     * @param lambda       the function's own resource (name, version, region), from Lambda's runtime
     * @param serviceName  the {@code service.name} of the function's spans, e.g. {@code mcp-broker-audit-forwarder}
     */
    public static HandlerTelemetry from(HandlerTelemetryConfig config, Duration flushTimeout, Resource lambda,
                                        String serviceName) {
        if (config.sdk().disabled()) {
            return off();
        }
        SpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(config.exporter().otlp().traces().endpoint().toString())
                .setTimeout(flushTimeout).build();
        return create(exporter, lambda, serviceName, config.traces().sampler().arg(), flushTimeout);
    }

    /** Records nothing, exports nothing: the template's choice when no collector layer is attached. */
    public static HandlerTelemetry off() {
        return new HandlerTelemetry(OpenTelemetry.noop(), null, "off", Duration.ZERO);
    }

    /** An SDK exporting to {@code exporter}; the span of each invocation is named after {@code faas.name}. */
    static HandlerTelemetry create(SpanExporter exporter, Resource lambda, String serviceName, double sampleRatio,
                                   Duration flushTimeout) {
        Resource resource = Resource.getDefault().merge(lambda)
                .merge(Resource.create(io.opentelemetry.api.common.Attributes.of(SERVICE_NAME, serviceName)));
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder().setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        String function = resource.getAttribute(AttributeKey.stringKey("faas.name"));
        return new HandlerTelemetry(sdk, tracerProvider, function != null ? function : serviceName, flushTimeout);
    }

    /** For the function's AWS SDK clients and upstream exchanges. */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /**
     * Runs one invocation in its span and delivers the span (and its children) before returning.
     *
     * @param trigger the FaaS semantic conventions' {@code faas.trigger}: {@code datasource}, {@code timer}
     * @param context Lambda's context; {@code null} outside Lambda
     */
    public <T> T invocation(String trigger, Context context, Supplier<T> work) {
        // Lambda's trace header for this invocation (set per invocation by the runtime) is the parent
        io.opentelemetry.context.Context parent = AwsXrayLambdaPropagator.getInstance()
                .extract(io.opentelemetry.context.Context.root(), null, NOTHING);
        var builder = tracer.spanBuilder(spanName).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute(FAAS_TRIGGER, trigger);
        if (context != null) {
            builder.setAttribute(FAAS_INVOCATION_ID, context.getAwsRequestId());
            builder.setAttribute(CLOUD_RESOURCE_ID, context.getInvokedFunctionArn());
        }
        Span span = builder.startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            span.setAttribute("error.type", e.getClass().getName());
            throw e;
        } finally {
            span.end();
            flush();
        }
    }

    private void flush() {
        if (tracerProvider != null) {
            tracerProvider.forceFlush().join(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
