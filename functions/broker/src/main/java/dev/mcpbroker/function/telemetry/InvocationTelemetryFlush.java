package dev.mcpbroker.function.telemetry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mcpbroker.function.BrokerConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Delivers each invocation's spans and metrics before the invocation ends. Lambda freezes the execution
 * environment once the handler returns and may reap it without notice, so the batching Quarkus'
 * OpenTelemetry SDK does by default would hold spans until a later invocation, or lose them. This wraps the
 * Lambda HTTP handler Quarkus provides (a CDI decorator: the one way to wrap a handler the extension owns;
 * the extension ignores decorators when it looks for handlers): after the answer is ready it waits for the
 * invocation's spans to end ({@link OpenSpans}), then flushes the tracer and meter providers, all within
 * {@code broker.telemetry.flush-timeout}. The answer is returned either way.
 */
@Decorator
@Priority(10)
public class InvocationTelemetryFlush implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private static final Logger LOG = Logger.getLogger(InvocationTelemetryFlush.class);

    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler;
    private final OpenTelemetrySdk sdk;
    private final OpenSpans openSpans;
    private final Duration timeout;

    @Inject
    public InvocationTelemetryFlush(@Delegate @Any RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler,
                                    OpenTelemetry openTelemetry, OpenSpans openSpans, BrokerConfig config) {
        this.handler = handler;
        this.sdk = openTelemetry instanceof OpenTelemetrySdk s ? s : null;
        this.openSpans = openSpans;
        this.timeout = config.telemetry().flushTimeout();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            return handler.handleRequest(event, context);
        } finally {
            flush();
        }
    }

    private void flush() {
        if (sdk == null) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        openSpans.awaitNoneOpen(timeout);
        CompletableResultCode flushed = CompletableResultCode.ofAll(List.of(
                sdk.getSdkTracerProvider().forceFlush(), sdk.getSdkMeterProvider().forceFlush()));
        long remaining = Math.max(0, deadline - System.nanoTime());
        if (!flushed.join(remaining, TimeUnit.NANOSECONDS).isSuccess()) {
            LOG.warnf("telemetry of this invocation not delivered within %d ms", timeout.toMillis());
        }
    }
}
