package dev.mcpbroker.e2e.local;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local functions send traces and metrics: nowhere by default (trace ids still reach the logs, the audit
 * events and the upstreams, as in AWS without the collector layer), or an OTLP/HTTP collector named with
 * {@code --otlp}, which then stands in for the ADOT collector layer. The broker function reads Quarkus' variables,
 * the two plain handlers the standard OpenTelemetry ones.
 */
public record LocalTelemetry(Optional<URI> otlp) {

    /** On top of the broker's own configuration; empty: leave it as the stack sets it (nothing exported). */
    public Map<String, String> brokerEnvironment() {
        return otlp.map(endpoint -> Map.of(
                "QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", base(endpoint))).orElse(Map.of());
    }

    /** For the audit forwarder and session maintenance functions. */
    public Map<String, String> handlerEnvironment() {
        return otlp.map(endpoint -> Map.of(
                "OTEL_SDK_DISABLED", "false",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", base(endpoint) + "/v1/traces")).orElse(Map.of("OTEL_SDK_DISABLED", "true"));
    }

    private static String base(URI endpoint) {
        String text = endpoint.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
