package dev.mcpbroker.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code scripts/bench.sh cost}: what one call of each kind costs the packaged broker function (under the runtime
 * interface client, behind the local HTTP API, on DynamoDB Local metered by a {@link DynamoDbMeter}):
 * function CPU milliseconds ({@code /proc/<pid>/stat} of the function process), function duration per invocation
 * (as the runtime API sees it, what Lambda bills), DynamoDB requests and request units, audit events, and calls
 * per second of one instance (one invocation at a time, as in Lambda). Kinds, {@code bench.calls} each after
 * {@code bench.warmup}: read-only and state-changing tools/call, tools/list, resources/read (sessions, 2025-11-25),
 * and tools/call as a 2026-07-28 stateless request, to a legacy upstream (held session) and to a stateless one.
 * With {@link CostModel}'s prices: USD per million calls at {@code bench.memoryMb} (arm64). Results go to
 * {@code bench.out} and, as the table of docs/cost.md, next to it as {@code cost.md}.
 */
public final class CostBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CONFORMANCE = "conformance";
    private static final String V2025 = "2025-11-25";
    private static final String V2026 = "2026-07-28";

    private CostBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/cost.json", CostBenchmark::run);
    }

    private static Map<String, Object> run() throws IOException {
        int warmup = Integer.getInteger("bench.warmup", 100);
        int calls = Integer.getInteger("bench.calls", 300);
        int memoryMb = Integer.getInteger("bench.memoryMb", 512);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupCalls", warmup);
        results.put("measuredCalls", calls);
        results.put("memoryMb", memoryMb);
        results.put("cpus", Runtime.getRuntime().availableProcessors());
        results.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, Path.of("target/bench/logs").toAbsolutePath());
             ConformanceUpstream dualEra = ConformanceUpstream.start(ConformanceUpstream.Mode.DUAL_ERA);
             DynamoDbMeter meter = new DynamoDbMeter(URI.create(stack.aws().childEnvironment().get("BROKER_AWS_DYNAMODB_ENDPOINT")))) {
            PolicyAdmin admin = stack.policyAdmin();
            admin.registerServer(CONFORMANCE, dualEra.mcpEndpoint(), UpstreamAuth.NONE, Duration.ofSeconds(2), Duration.ofSeconds(25));
            admin.setKeyPolicy(CONFORMANCE, false); // the fixture's tools change nothing
            admin.grant(LocalBrokerStack.DEV_AGENT, LocalBrokerStack.DEV_TENANT,
                    new ServerGrant(CONFORMANCE, null, List.of("*"), List.of("*"), null));
            // As deployed, every agent has a rate limit (the template's DefaultAgentRatePerSecond): one conditional
            // write per call. Set high here, so that the benchmark is never refused.
            LocalLambda broker = stack.addBroker(Map.of("BROKER_AWS_DYNAMODB_ENDPOINT", meter.endpoint().toString(),
                    "BROKER_LIMITS_DEFAULT_AGENT_RATE_PER_SECOND", "10000", "BROKER_LIMITS_DEFAULT_AGENT_BURST", "10000"));
            Map<String, String> agent = stack.devAuthorization();
            URI payments = broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
            URI conformance = broker.baseUri().resolve("/mcp/" + CONFORMANCE);
            String paymentsSession = initialize(payments, agent);
            String conformanceSession = initialize(conformance, agent);
            long run = System.currentTimeMillis();

            Map<String, IntFunction<Void>> kinds = new LinkedHashMap<>();
            kinds.put("tools/call read-only", id -> call(payments, agent, paymentsSession, Map.of(),
                    toolCall(id, "get_balance", "{\"account\":\"alice\"}", null)));
            kinds.put("tools/call state-changing", id -> call(payments, agent, paymentsSession,
                    Map.of("Idempotency-Key", "cost-" + run + "-" + id),
                    toolCall(id, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}", null)));
            kinds.put("tools/list", id -> call(payments, agent, paymentsSession, Map.of(),
                    "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}"));
            kinds.put("resources/read", id -> call(conformance, agent, conformanceSession, Map.of(),
                    "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"resources/read\",\"params\":{\"uri\":\"test://static-text\"}}"));
            kinds.put("2026-07-28 tools/call, legacy upstream", id -> call(payments, agent, null,
                    stateless("get_balance"), toolCall(id, "get_balance", "{\"account\":\"alice\"}", V2026)));
            kinds.put("2026-07-28 tools/call, stateless upstream, not read-only", id -> call(conformance, agent, null,
                    stateless("test_simple_text"), toolCall(id, "test_simple_text", "{}", V2026)));

            Map<String, Object> perKind = new LinkedHashMap<>();
            int id = 10;
            for (Map.Entry<String, IntFunction<Void>> kind : kinds.entrySet()) {
                for (int i = 0; i < warmup; i++) {
                    kind.getValue().apply(id++);
                }
                meter.readAndReset();
                double cpuBefore = ProcessCpu.millis(broker.functionPid());
                long invocationsBefore = broker.runtime().completedInvocations();
                long nanosBefore = broker.runtime().invocationNanos();
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    kind.getValue().apply(id++);
                }
                double elapsedMs = (System.nanoTime() - t0) / 1e6;
                double cpuMs = (ProcessCpu.millis(broker.functionPid()) - cpuBefore) / calls;
                long invocations = broker.runtime().completedInvocations() - invocationsBefore;
                double functionMs = (broker.runtime().invocationNanos() - nanosBefore) / 1e6 / invocations;
                DynamoDbMeter.Reading aws = meter.readAndReset();
                perKind.put(kind.getKey(), measured(calls, memoryMb, elapsedMs, cpuMs, functionMs, aws));
            }
            results.put("perCall", perKind);
            results.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            Path table = Path.of(System.getProperty("bench.out", "target/bench/cost.json")).resolveSibling("cost.md");
            Files.createDirectories(table.toAbsolutePath().getParent());
            Files.writeString(table, CostTable.markdown(perKind, memoryMb));
        }
        return results;
    }

    private static Map<String, Object> measured(int calls, int memoryMb, double elapsedMs, double cpuMs, double functionMs,
                                                DynamoDbMeter.Reading aws) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuMs", round(cpuMs, 2));
        m.put("functionMs", round(functionMs, 2));
        m.put("clientMs", round(elapsedMs / calls, 2));
        m.put("callsPerSecondOneInstance", round(calls * 1000 / elapsedMs, 1));
        Map<String, Double> requests = new LinkedHashMap<>();
        aws.requests().forEach((operation, n) -> requests.put(operation, round((double) n / calls, 2)));
        m.put("dynamoDbRequests", requests);
        m.put("readUnits", round(aws.readUnits() / calls, 2));
        m.put("writeUnits", round(aws.writeUnits() / calls, 2));
        m.put("indexWriteUnits", round(aws.indexWriteUnits() / calls, 2));
        m.put("conditionFailures", round((double) aws.conditionFailures() / calls, 2));
        double events = (double) aws.auditEvents() / calls;
        double eventKb = aws.auditEvents() == 0 ? 0 : aws.auditEventBytes() / 1024.0 / aws.auditEvents();
        m.put("auditEvents", round(events, 2));
        m.put("auditEventKb", round(eventKb, 2));
        m.put("lambdaBilledMsAtMemory", CostModel.lambdaMillis(functionMs, cpuMs, memoryMb));
        m.put("usdPerMillion", CostModel.perMillion(functionMs, cpuMs, memoryMb, aws.readUnits() / calls,
                aws.writeUnits() / calls, events, eventKb));
        return m;
    }

    private static Map<String, String> stateless(String tool) {
        return Map.of("MCP-Protocol-Version", V2026, "Mcp-Method", "tools/call", "Mcp-Name", tool);
    }

    private static String toolCall(int id, String tool, String arguments, String statelessVersion) {
        String meta = statelessVersion == null ? "" : ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\""
                + statelessVersion + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}";
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + meta + "}}";
    }

    private static String initialize(URI endpoint, Map<String, String> agent) {
        HttpResponse<String> init = post(endpoint, agent, null, Map.of(), "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"" + V2025 + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"cost\",\"version\":\"1\"}}}");
        String session = init.headers().firstValue("Mcp-Session-Id")
                .orElseThrow(() -> new IllegalStateException("initialize of " + endpoint + " failed: " + init.body()));
        post(endpoint, agent, session, Map.of(), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return session;
    }

    private static Void call(URI endpoint, Map<String, String> agent, String session, Map<String, String> headers, String body) {
        HttpResponse<String> response = post(endpoint, agent, session, headers, body);
        JsonNode answer;
        try {
            String text = response.body();
            answer = JSON.readTree(text.startsWith("event:") ? text.substring(text.lastIndexOf("data: ") + 6) : text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (response.statusCode() != 200 || !answer.has("result") || answer.path("result").path("isError").asBoolean()) {
            throw new IllegalStateException("call failed: HTTP " + response.statusCode() + " " + response.body());
        }
        return null;
    }

    private static HttpResponse<String> post(URI endpoint, Map<String, String> agent, String session, Map<String, String> headers,
                                             String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Map<String, String> all = new HashMap<>(agent);
        if (session != null) {
            all.put("Mcp-Session-Id", session);
            all.put("MCP-Protocol-Version", V2025);
        }
        all.putAll(headers);
        all.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }
}
