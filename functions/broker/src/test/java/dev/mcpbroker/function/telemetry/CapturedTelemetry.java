package dev.mcpbroker.function.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the function exported to {@link InMemoryTelemetry}, read the way an operator reads a tracing backend
 * and a metrics store: spans by name, kind and attribute, histogram and counter points by attribute.
 * Export is forced ({@code forceFlush}) rather than waited for.
 */
public final class CapturedTelemetry {

    private final OpenTelemetrySdk sdk;
    private final InMemorySpanExporter spans;
    private final InMemoryMetricExporter metrics;

    public CapturedTelemetry(OpenTelemetry openTelemetry, InMemorySpanExporter spans, InMemoryMetricExporter metrics) {
        this.sdk = (OpenTelemetrySdk) openTelemetry;
        this.spans = spans;
        this.metrics = metrics;
    }

    /** Exports what is pending and forgets everything exported so far. */
    public void reset() {
        flush();
        spans.reset();
        metrics.reset();
    }

    public void flush() {
        sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
        sdk.getSdkMeterProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }

    /** Every span exported since the last reset. */
    public List<SpanData> spans() {
        flush();
        return spans.getFinishedSpanItems();
    }

    /**
     * The spans once {@code complete} holds for them. A span may end just after its answer left (the HTTP
     * server span ends when Vert.x has written the response): flushing again until it is there is the
     * wait, bounded by a deadline.
     */
    public List<SpanData> spansOnce(Predicate<List<SpanData>> complete) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<SpanData> all = spans();
        while (!complete.test(all)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the expected spans were not exported within 10 s; exported: "
                        + all.stream().map(SpanData::getName).toList());
            }
            Thread.onSpinWait();
            all = spans();
        }
        return all;
    }

    /** The broker's MCP request spans (SERVER spans of the broker's own scope). */
    public static Stream<SpanData> mcpRequests(List<SpanData> spans) {
        return spans.stream().filter(s -> s.getKind() == SpanKind.SERVER
                && McpTelemetry.SCOPE.equals(s.getInstrumentationScopeInfo().getName()));
    }

    public static <T> T attribute(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    /** The spans whose parent is {@code parent}. */
    public static Stream<SpanData> childrenOf(SpanData parent, List<SpanData> spans) {
        return spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())
                && s.getTraceId().equals(parent.getTraceId()));
    }

    /** Every metric exported since the last reset (deltas: summing them gives what happened since). */
    public List<MetricData> metrics() {
        flush();
        return new ArrayList<>(metrics.getFinishedMetricItems());
    }

    /** Every histogram point of {@code name} exported since the last reset. */
    public List<HistogramPointData> histogramPoints(String name) {
        return metrics().stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getHistogramData().getPoints().stream()).toList();
    }

    /** Every counter point of {@code name} exported since the last reset. */
    public List<LongPointData> counterPoints(String name) {
        return metrics().stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getLongSumData().getPoints().stream()).toList();
    }

    /**
     * The p-th percentile a histogram allows to derive: the upper bound of the bucket holding it (what a
     * metrics backend reports, e.g. Prometheus' histogram_quantile without interpolation).
     */
    public static double percentileBound(List<HistogramPointData> points, double percentile) {
        List<Double> bounds = points.get(0).getBoundaries();
        long[] counts = new long[bounds.size() + 1];
        long total = 0;
        for (HistogramPointData point : points) {
            assertSameBoundaries(bounds, point.getBoundaries());
            for (int i = 0; i < counts.length; i++) {
                counts[i] += point.getCounts().get(i);
            }
            total += point.getCount();
        }
        long rank = (long) Math.ceil(percentile / 100 * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i < bounds.size() ? bounds.get(i) : Double.POSITIVE_INFINITY;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static void assertSameBoundaries(List<Double> expected, List<Double> actual) {
        if (!expected.equals(actual)) {
            throw new AssertionError("points with different bucket boundaries: " + expected + " / " + actual);
        }
    }
}
