package dev.mcpbroker.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code scripts/bench.sh}: sequential {@code tools/call} latency straight to the demo upstream and through
 * one broker instance (local API gateway, function JVM, DynamoDB Local), and the time from starting a broker
 * JVM to its first answered request. Both paths use the same HTTP client code. Results are printed and
 * written to {@code target/bench/tools-call.json}.
 */
public final class ToolsCallBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROTOCOL = "2025-11-25";

    private ToolsCallBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/tools-call.json", ToolsCallBenchmark::run);
    }

    private static Map<String, Object> run() throws IOException {
        int warmup = Integer.getInteger("bench.warmup", 300);
        int calls = Integer.getInteger("bench.calls", 1000);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupCalls", warmup);
        results.put("measuredCalls", calls);

        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, Path.of("target/bench/logs").toAbsolutePath())) {
            HttpUpstreamClient client = new HttpUpstreamClient(JSON, 8 << 20);

            long startNanos = System.nanoTime();
            LocalLambda broker = stack.addBroker();
            UpstreamServer viaBroker = server(broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS));
            Map<String, String> agent = stack.devAuthorization();
            Session brokerSession = open(client, viaBroker, agent);
            results.put("brokerStartToFirstAnswerMs", (System.nanoTime() - startNanos) / 1_000_000);

            UpstreamServer direct = server(stack.payments().mcpEndpoint());
            Session directSession = open(client, direct, Map.of());

            results.put("direct", measure(client, direct, directSession, Map.of(), warmup, calls));
            results.put("broker", measure(client, viaBroker, brokerSession, agent, warmup, calls));
        }
        return results;
    }

    private record Session(String upstreamSessionId) {
    }

    private static UpstreamServer server(URI endpoint) {
        return new UpstreamServer("bench", endpoint, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    private static Session open(HttpUpstreamClient client, UpstreamServer server, Map<String, String> headers) {
        ObjectNode initialize = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 0).put("method", "initialize");
        initialize.putObject("params").put("protocolVersion", PROTOCOL).putObject("capabilities");
        ((ObjectNode) initialize.get("params")).putObject("clientInfo").put("name", "bench").put("version", "1");
        UpstreamReply reply = client.send(server, new UpstreamCall(initialize, null, null, headers));
        String sessionId = reply.upstreamSessionId().orElse(null);
        ObjectNode initialized = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized");
        client.send(server, new UpstreamCall(initialized, sessionId, PROTOCOL, headers));
        return new Session(sessionId);
    }

    private static Map<String, Object> measure(HttpUpstreamClient client, UpstreamServer server, Session session,
                                               Map<String, String> headers, int warmup, int calls) {
        long[] micros = new long[calls];
        for (int i = -warmup; i < calls; i++) {
            ObjectNode call = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", i + warmup + 1).put("method", "tools/call");
            call.putObject("params").put("name", "get_balance").putObject("arguments").put("account", "alice");
            long t0 = System.nanoTime();
            UpstreamReply reply = client.send(server, new UpstreamCall(call, session.upstreamSessionId(), PROTOCOL, headers));
            long elapsed = System.nanoTime() - t0;
            if (reply.response().isEmpty() || reply.response().get().has("error")) {
                throw new IllegalStateException("tools/call failed during the benchmark");
            }
            if (i >= 0) {
                micros[i] = elapsed / 1_000;
            }
        }
        Arrays.sort(micros);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("p50Ms", percentile(micros, 50));
        stats.put("p90Ms", percentile(micros, 90));
        stats.put("p99Ms", percentile(micros, 99));
        stats.put("maxMs", micros[micros.length - 1] / 1000.0);
        return stats;
    }

    private static double percentile(long[] sortedMicros, int p) {
        int index = (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
        return sortedMicros[Math.max(0, index)] / 1000.0;
    }
}
