package dev.mcpbroker.function.telemetry;

import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Where the function's spans and metrics go in its tests: kept in memory instead of exported over OTLP
 * (Quarkus turns its OTLP exporters off when such beans exist). Metrics are exported as deltas, so what a
 * test reads after a flush is what happened since the previous flush.
 */
@ApplicationScoped
public class InMemoryTelemetry {

    @Produces
    @Singleton
    InMemorySpanExporter spans() {
        return InMemorySpanExporter.create();
    }

    @Produces
    @Singleton
    InMemoryMetricExporter metrics() {
        return InMemoryMetricExporter.create(AggregationTemporality.DELTA);
    }
}
