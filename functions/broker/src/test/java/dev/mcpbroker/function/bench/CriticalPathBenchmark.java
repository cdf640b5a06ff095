package dev.mcpbroker.function.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.broker.BrokerRequest;
import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.function.telemetry.AwsSdkTracing;
import dev.mcpbroker.function.telemetry.McpRequest;
import dev.mcpbroker.function.telemetry.McpTelemetry;
import dev.mcpbroker.function.telemetry.OtelUpstreamTracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.idempotency.DynamoDbIdempotencyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code scripts/bench.sh critical-path}: the broker's own request path ({@link McpBroker} with its real
 * DynamoDB adapters and a real upstream, in one process, no HTTP in front) for a state-changing
 * {@code tools/call}, with and without the audit trail and idempotency, and the sequential AWS round trips
 * each makes (counted by an SDK execution interceptor); and what tracing adds to that call: the same broker
 * with and without OpenTelemetry (the request span, the upstream and AWS SDK client spans, W3C context in the
 * upstream request, the operation histogram), calls alternating between the two so drift in the local
 * stand-ins hits both alike. Spans go through a batch processor to an exporter that drops them, so export
 * itself (a background thread) is not on the clock; the request log line is switched off for the run.
 * Authentication is measured separately ({@code scripts/bench.sh governance}).
 */
public final class CriticalPathBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AgentIdentity AGENT = new AgentIdentity("bench-agent", "bench", "user@bench");

    private CriticalPathBenchmark() {
    }


    /** The baseline's outbox: records nothing, so the difference is what the audit trail costs. */
    private static final class DiscardingOutbox implements AuditOutbox {
        @Override
        public AuditEvent append(AuditEvent unchained) {
            return unchained;
        }

        @Override
        public List<AuditEvent> appendAll(List<AuditEvent> unchained) {
            return unchained;
        }

        @Override
        public List<AuditEvent> undelivered(String chainKey, int limit) {
            return List.of();
        }

        @Override
        public void markDelivered(AuditEvent event) {
        }
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.getInteger("bench.warmup", 200);
        int calls = Integer.getInteger("bench.calls", 1000);
        AwsEnvironment aws = AwsEnvironment.shared();
        TestClients.RequestCounter counter = new TestClients.RequestCounter();
        DynamoDbClient dynamoDb = TestClients.dynamoDb(aws, counter);
        String state = "bench-critical-state";
        String policy = "bench-critical-policy";
        SessionTableSetup.ensureTable(dynamoDb, state);
        PolicyTable.ensureTable(dynamoDb, policy);
        Map<String, Object> results = new LinkedHashMap<>();
        try (DemoUpstream upstream = DemoUpstream.start()) {
            UpstreamServer server = new UpstreamServer("payments", upstream.mcpEndpoint(), Duration.ofSeconds(2),
                    Duration.ofSeconds(20), UpstreamAuth.NONE, dev.mcpbroker.core.upstream.ServerControls.NONE);
            new PolicyAdmin(dynamoDb, policy).grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("payments", null));

            McpBroker full = broker(dynamoDb, state, policy, server, new DynamoDbAuditOutbox(dynamoDb, state), true);
            McpBroker baseline = broker(dynamoDb, state, policy, server, new DiscardingOutbox(), false);
            results.put("warmupCalls", warmup);
            results.put("measuredCalls", calls);
            results.put("auditAndIdempotency", measure(full, counter, true, warmup, calls));
            results.put("neither", measure(baseline, counter, false, warmup, calls));
            results.put("tracing", tracingOverhead(aws, dynamoDb, state, policy, server, warmup, calls));
        }
        String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/critical-path.json"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.out.println(json);
        System.exit(0);
    }

    private static McpBroker broker(DynamoDbClient dynamoDb, String state, String policy, UpstreamServer server,
                                    AuditOutbox outbox, boolean idempotency) {
        return new InProcessBroker(dynamoDb, state, policy).servers(server).outbox(outbox)
                .requireIdempotencyKey(idempotency).build();
    }

    /** Drops every span: the cost measured is producing them, not shipping them. */
    private static final class DroppingExporter implements SpanExporter {
        private final AtomicLong spans = new AtomicLong();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAndGet(batch.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** One way of serving a call: how the broker is called, and whether it is traced. */
    private record Variant(McpBroker broker, Function<BrokerRequest, BrokerResponse> serve) {
    }

    /**
     * The full path (audit trail and idempotency) with and without tracing, calls alternating. Both brokers
     * use the same DynamoDB tables and upstream; the traced one has the AWS SDK tracing interceptor on its
     * own client and the broker's upstream tracing, and each call is served inside a request span exactly as
     * McpResource does.
     */
    private static Map<String, Object> tracingOverhead(AwsEnvironment aws, DynamoDbClient plainDynamoDb, String state,
                                                       String policy, UpstreamServer server, int warmup, int calls) {
        java.util.logging.Logger.getLogger(McpRequest.LOGGER).setLevel(java.util.logging.Level.OFF);
        DroppingExporter exporter = new DroppingExporter();
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        DynamoDbClient tracedDynamoDb = AwsSdkTracing.traced(DynamoDbClient.builder().endpointOverride(aws.dynamoDbEndpoint())
                .region(aws.region()).credentialsProvider(aws.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder()),
                sdk).build();
        McpBroker untraced = new InProcessBroker(plainDynamoDb, state, policy).servers(server).build();
        McpBroker traced = new InProcessBroker(tracedDynamoDb, state, policy).servers(server)
                .upstreamTracing(new OtelUpstreamTracing(sdk)).build();
        McpTelemetry telemetry = new McpTelemetry(sdk, new dev.mcpbroker.core.telemetry.MetricDimensions(100));
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("off", new Variant(untraced, untraced::post));
        variants.put("on", new Variant(traced, request -> {
            McpRequest trace = telemetry.begin("POST", request.serverId());
            try {
                return trace.answered(traced.post(request, trace));
            } catch (RuntimeException e) {
                trace.failed(e);
                throw e;
            } finally {
                trace.end();
            }
        }));
        Map<String, String> sessions = new LinkedHashMap<>();
        Map<String, long[]> micros = new LinkedHashMap<>();
        variants.forEach((name, variant) -> {
            sessions.put(name, openSession(variant.broker()));
            micros.put(name, new long[calls]);
        });
        long spansBefore = 0;
        for (int i = -warmup; i < calls; i++) {
            if (i == 0) {
                sdk.getSdkTracerProvider().forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
                spansBefore = exporter.spans.get();
            }
            for (Map.Entry<String, Variant> variant : variants.entrySet()) {
                long elapsed = timedTransfer(variant.getValue().serve(), sessions.get(variant.getKey()), i + warmup);
                if (i >= 0) {
                    micros.get(variant.getKey())[i] = elapsed / 1_000;
                }
            }
        }
        sdk.getSdkTracerProvider().forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
        Map<String, Object> stats = new LinkedHashMap<>();
        micros.forEach((name, values) -> {
            Arrays.sort(values);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("p50Ms", values[(int) Math.ceil(0.50 * calls) - 1] / 1000.0);
            one.put("p99Ms", values[(int) Math.ceil(0.99 * calls) - 1] / 1000.0);
            stats.put(name, one);
        });
        stats.put("spansPerCall", (double) (exporter.spans.get() - spansBefore) / calls);
        sdk.close();
        return stats;
    }

    private static String openSession(McpBroker broker) {
        BrokerResponse opened = broker.post(new BrokerRequest(AGENT, "payments", null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""".getBytes(StandardCharsets.UTF_8)));
        String session = opened.headers().get("Mcp-Session-Id");
        broker.post(new BrokerRequest(AGENT, "payments", session, "2025-11-25", null,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}".getBytes(StandardCharsets.UTF_8)));
        return session;
    }

    /** One keyed transfer; returns its duration in nanoseconds. */
    private static long timedTransfer(Function<BrokerRequest, BrokerResponse> serve, String session, int n) {
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + (n + 10) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}}}").getBytes(StandardCharsets.UTF_8);
        BrokerRequest request = new BrokerRequest(AGENT, "payments", session, "2025-11-25", "bench-" + UUID.randomUUID(), body);
        long t0 = System.nanoTime();
        BrokerResponse response = serve.apply(request);
        long elapsed = System.nanoTime() - t0;
        if (response.status() != 200 || response.body().orElseThrow().has("error")) {
            throw new IllegalStateException("tools/call failed during the benchmark: " + response.body().orElse(null));
        }
        return elapsed;
    }

    private static Map<String, Object> measure(McpBroker broker, TestClients.RequestCounter counter, boolean withKey, int warmup, int calls) {
        String session = openSession(broker);
        long[] micros = new long[calls];
        long awsCalls = 0;
        for (int i = -warmup; i < calls; i++) {
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + (i + warmup + 10) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                    + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}}}").getBytes(StandardCharsets.UTF_8);
            String key = withKey ? "bench-" + UUID.randomUUID() : null;
            long before = counter.count();
            long t0 = System.nanoTime();
            BrokerResponse response = broker.post(new BrokerRequest(AGENT, "payments", session, "2025-11-25", key, body));
            long elapsed = System.nanoTime() - t0;
            if (response.status() != 200 || response.body().orElseThrow().has("error")) {
                throw new IllegalStateException("tools/call failed during the benchmark: " + response.body().orElse(null));
            }
            if (i >= 0) {
                micros[i] = elapsed / 1_000;
                awsCalls += counter.count() - before;
            }
        }
        Arrays.sort(micros);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("p50Ms", micros[(int) Math.ceil(0.50 * calls) - 1] / 1000.0);
        stats.put("p99Ms", micros[(int) Math.ceil(0.99 * calls) - 1] / 1000.0);
        stats.put("awsCallsPerCall", (double) awsCalls / calls);
        return stats;
    }
}
