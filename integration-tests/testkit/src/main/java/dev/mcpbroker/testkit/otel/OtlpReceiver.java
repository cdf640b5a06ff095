package dev.mcpbroker.testkit.otel;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An OpenTelemetry collector's OTLP receiver, on 127.0.0.1: OTLP/gRPC (what the broker function exports, the
 * ADOT collector layer's port 4317) and OTLP/HTTP protobuf ({@code /v1/traces}, {@code /v1/metrics}; port
 * 4318 in the layer) on one port. Requests are decoded with the OTLP protobuf definitions and kept; each is
 * answered only after it is kept, so an exporter that was told "done" has been received here.
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final ServiceMethod<ExportTraceServiceRequest, ExportTraceServiceResponse> TRACES = ServiceMethod.server(
            ServiceName.create("opentelemetry.proto.collector.trace.v1", "TraceService"), "Export",
            GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ExportTraceServiceRequest.parser()));
    private static final ServiceMethod<ExportMetricsServiceRequest, ExportMetricsServiceResponse> METRICS = ServiceMethod.server(
            ServiceName.create("opentelemetry.proto.collector.metrics.v1", "MetricsService"), "Export",
            GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(ExportMetricsServiceRequest.parser()));

    private final Vertx vertx;
    private final HttpServer server;
    private final List<ExportTraceServiceRequest> traceExports = new ArrayList<>();
    private final List<ExportMetricsServiceRequest> metricExports = new ArrayList<>();

    private OtlpReceiver(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public static OtlpReceiver start() {
        Vertx vertx = Vertx.vertx();
        try {
            GrpcServer grpc = GrpcServer.server(vertx);
            OtlpReceiver[] self = new OtlpReceiver[1];
            grpc.callHandler(TRACES, call -> call.handler(request -> {
                self[0].keep(self[0].traceExports, request);
                call.response().end(ExportTraceServiceResponse.getDefaultInstance());
            }));
            grpc.callHandler(METRICS, call -> call.handler(request -> {
                self[0].keep(self[0].metricExports, request);
                call.response().end(ExportMetricsServiceResponse.getDefaultInstance());
            }));
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                    .setHttp2ClearTextEnabled(true));
            self[0] = new OtlpReceiver(vertx, server);
            server.requestHandler(request -> {
                String type = request.getHeader("content-type");
                if (type != null && type.startsWith("application/grpc")) {
                    grpc.handle(request);
                } else {
                    self[0].http(request);
                }
            });
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return self[0];
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("could not start the OTLP receiver", e);
        }
    }

    /** Where an OTLP/gRPC exporter sends, e.g. {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}. */
    public URI grpcEndpoint() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    /** Where an OTLP/HTTP exporter sends spans ({@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}). */
    public URI httpTracesEndpoint() {
        return grpcEndpoint().resolve("/v1/traces");
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

    private synchronized <T> void keep(List<T> into, T request) {
        into.add(request);
    }

    private void http(HttpServerRequest request) {
        Function<Buffer, Buffer> handler = switch (request.path()) {
            case "/v1/traces" -> body -> decode(body, ExportTraceServiceRequest::parseFrom, traceExports,
                    ExportTraceServiceResponse.getDefaultInstance().toByteArray());
            case "/v1/metrics" -> body -> decode(body, ExportMetricsServiceRequest::parseFrom, metricExports,
                    ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
            default -> null;
        };
        if (handler == null || !"POST".equals(request.method().name())) {
            request.response().setStatusCode(404).end();
            return;
        }
        request.body().onSuccess(body -> {
            Buffer answer = handler.apply(body);
            if (answer == null) {
                request.response().setStatusCode(400).end();
            } else {
                request.response().putHeader("content-type", "application/x-protobuf").end(answer);
            }
        });
    }

    private interface Parser<T> {
        T parseFrom(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private <T> Buffer decode(Buffer body, Parser<T> parser, List<T> into, byte[] answer) {
        try {
            keep(into, parser.parseFrom(body.getBytes()));
            return Buffer.buffer(answer);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // stopping a test helper: nothing to recover
        }
    }
}
