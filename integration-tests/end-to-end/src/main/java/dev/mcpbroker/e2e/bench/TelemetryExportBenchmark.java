package dev.mcpbroker.e2e.bench;

import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code scripts/bench.sh telemetry}: what exporting telemetry costs each call where the function runs as in
 * Lambda (the packaged function under the runtime interface client). Two broker instances, calls alternating in
 * rounds: one with the OpenTelemetry SDK off (the template's setting without a collector layer), one exporting
 * over OTLP/HTTP to a collector on the loopback (a real OTLP receiver), flushing every invocation's spans and
 * metrics before it answers. Reports sequential {@code tools/call} latency of both and the spans the collector
 * received per call. Results are printed and written to {@code bench.out} ({@code target/bench/telemetry.json}).
 */
public final class TelemetryExportBenchmark {

    private TelemetryExportBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/telemetry.json", TelemetryExportBenchmark::run);
    }

    private static Map<String, Object> run() throws IOException {
        int warmup = Integer.getInteger("bench.warmup", 300);
        int calls = Integer.getInteger("bench.calls", 1000);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupCalls", warmup);
        results.put("measuredCalls", calls);
        results.put("cpus", Runtime.getRuntime().availableProcessors());
        results.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, Path.of("target/bench/logs").toAbsolutePath());
             OtlpReceiver collector = OtlpReceiver.start()) {
            LocalLambda off = stack.addBroker(Map.of("QUARKUS_OTEL_SDK_DISABLED", "true"));
            LocalLambda exporting = stack.addBroker(Map.of(
                    "QUARKUS_OTEL_SDK_DISABLED", "false",
                    "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint().toString()));
            Map<String, String> agent = stack.devAuthorization();
            Map<String, SequentialCalls.Session> paths = new LinkedHashMap<>();
            paths.put("telemetryOff", SequentialCalls.Session.open(payments(off.baseUri()), agent));
            paths.put("exportedEachInvocation", SequentialCalls.Session.open(payments(exporting.baseUri()), agent));
            collector.clear();
            results.put("sequentialToolsCall", SequentialCalls.sequential(paths, warmup, calls));
            int exportedCalls = warmup + calls + 1; // and the DELETE that ends the session
            results.put("spansPerCall", Math.round(collector.spans().size() * 10.0 / exportedCalls) / 10.0);
            results.put("traceExportsPerCall", Math.round(collector.traceExportCount() * 100.0 / exportedCalls) / 100.0);
            results.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return results;
    }

    private static URI payments(URI base) {
        return base.resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }
}
