package dev.mcpbroker.testkit.otel;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.testkit.process.Ports;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTelemetry collector's OTLP/HTTP receiver on 127.0.0.1 (binary protobuf: {@code /v1/traces},
 * {@code /v1/metrics}; the ADOT collector layer's port 4318). Requests are decoded with the OTLP protobuf
 * definitions and kept; each is answered only after it is kept, so an exporter that was told "done" has been
 * received here.
 */
public final class OtlpReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<ExportTraceServiceRequest> traceExports = new ArrayList<>();
    private final List<ExportMetricsServiceRequest> metricExports = new ArrayList<>();

    private OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(Ports.LOOPBACK, 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/v1/traces", exchange -> receive(exchange, body -> {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            synchronized (this) {
                traceExports.add(request);
            }
            return ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        }));
        server.createContext("/v1/metrics", exchange -> receive(exchange, body -> {
            ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body);
            synchronized (this) {
                metricExports.add(request);
            }
            return ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
        }));
        server.start();
    }

    public static OtlpReceiver start() {
        return new OtlpReceiver();
    }

    /** The base an OTLP/HTTP exporter is pointed at, e.g. {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}. */
    public URI endpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + server.getAddress().getPort());
    }

    /** Where spans go ({@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}). */
    public URI tracesEndpoint() {
        return endpoint().resolve("/v1/traces");
    }

    /** Every span received so far, in the order received. */
    public synchronized List<ReceivedSpan> spans() {
        return traceExports.stream().flatMap(request -> ReceivedSpan.of(request).stream()).toList();
    }

    /** The names of every metric received so far. */
    public synchronized List<String> metricNames() {
        return metricExports.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .flatMap(r -> r.getScopeMetricsList().stream()).flatMap(s -> s.getMetricsList().stream())
                .map(m -> m.getName()).toList();
    }

    /** How many export requests carrying spans arrived. */
    public synchronized int traceExportCount() {
        return traceExports.size();
    }

    public synchronized void clear() {
        traceExports.clear();
        metricExports.clear();
    }

    private interface Decoder {
        byte[] keep(byte[] body) throws InvalidProtocolBufferException;
    }

    private static void receive(HttpExchange exchange, Decoder decoder) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] answer;
            try {
                answer = decoder.keep(body);
            } catch (InvalidProtocolBufferException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
