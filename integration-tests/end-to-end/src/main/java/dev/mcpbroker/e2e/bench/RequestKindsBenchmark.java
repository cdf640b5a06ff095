package dev.mcpbroker.e2e.bench;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.lb.Nginx;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code scripts/bench.sh request-kinds}: the latency each kind of request ({@link RequestKind}) adds through the
 * packaged function, against the same request sent straight to the upstream, for one instance and for three behind
 * the round-robin load balancer; and the AWS round trips each kind costs, counted by a proxy in front of DynamoDB
 * (on one instance, and on two taking turns on one session). With {@code -Dbench.baselineZip=<function.zip>} the
 * same run measures another build of the function beside this one (the build before a change), on the same
 * machine, the paths taking turns. Results are printed and written to {@code target/bench/request-kinds.json}.
 */
public final class RequestKindsBenchmark {

    private static final int ROUND = 25;
    private static final int COUNTED_CALLS = 20;

    private RequestKindsBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/request-kinds.json", RequestKindsBenchmark::run);
    }

    private static Map<String, Object> run() throws java.io.IOException {
        int warmup = Integer.getInteger("bench.warmup", 200);
        int calls = Integer.getInteger("bench.calls", 400);
        Map<String, Path> builds = new LinkedHashMap<>();
        builds.put("current", LocalBrokerStack.functionZip());
        String baseline = System.getProperty("bench.baselineZip", "");
        if (!baseline.isBlank()) {
            builds.put("baseline", Path.of(baseline).toAbsolutePath());
            if (!Files.isRegularFile(builds.get("baseline"))) {
                throw new IllegalArgumentException("no function.zip at " + baseline);
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupCalls", warmup);
        results.put("measuredCalls", calls);
        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, Path.of("target/bench/logs").toAbsolutePath());
                ConformanceUpstream fixture = ConformanceUpstream.start(ConformanceUpstream.Mode.DUAL_ERA)) {
            registerFixture(stack.policyAdmin(), fixture);
            Map<String, String> agent = stack.devAuthorization();
            List<AutoCloseable> started = new ArrayList<>();
            try {
                Map<String, Function<String, URI>> paths = new LinkedHashMap<>();
                paths.put("direct", server -> "fixture".equals(server) ? fixture.mcpEndpoint() : stack.payments().mcpEndpoint());
                Map<String, Object> roundTrips = new LinkedHashMap<>();
                for (Map.Entry<String, Path> build : builds.entrySet()) {
                    List<LocalLambda> three = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        three.add(stack.addBroker(build.getValue(), Map.of()));
                    }
                    Nginx nginx = Nginx.roundRobin(three.stream().map(LocalLambda::baseUri).toList());
                    started.add(nginx);
                    paths.put(build.getKey() + ".oneInstance", server -> three.get(0).baseUri().resolve("/mcp/" + server));
                    paths.put(build.getKey() + ".threeBehindRoundRobin", server -> nginx.baseUri().resolve("/mcp/" + server));
                    roundTrips.put(build.getKey(), roundTrips(stack, build.getValue(), agent, started));
                }
                Map<String, Object> latency = new LinkedHashMap<>();
                for (RequestKind kind : RequestKind.values()) {
                    latency.put(kind.name(), measure(kind, paths, agent, warmup, calls));
                }
                results.put("latency", latency);
                results.put("awsRoundTripsPerCall", roundTrips);
            } finally {
                for (AutoCloseable closeable : started) {
                    try {
                        closeable.close();
                    } catch (Exception e) {
                        // stopping is best effort; the numbers are taken
                    }
                }
            }
        }
        return results;
    }

    private static void registerFixture(PolicyAdmin admin, ConformanceUpstream fixture) {
        admin.registerServer("fixture", fixture.mcpEndpoint(), UpstreamAuth.NONE, Duration.ofSeconds(2), Duration.ofSeconds(25));
        // the fixture's tools carry no annotations; this one reads only
        admin.setToolKind("fixture", "test_simple_text", PolicyAdmin.ToolKind.READ_ONLY);
        admin.grant(LocalBrokerStack.DEV_AGENT, LocalBrokerStack.DEV_TENANT,
                new ServerGrant("fixture", null, List.of("*"), List.of("*"), null));
    }

    /**
     * p50/p99 of one kind on every path, the paths taking turns in rounds, and the median each broker path adds to
     * the direct one.
     */
    private static Map<String, Object> measure(RequestKind kind, Map<String, Function<String, URI>> paths,
                                               Map<String, String> agent, int warmup, int calls) {
        Map<String, RequestKind.Caller> callers = new LinkedHashMap<>();
        paths.forEach((name, endpoint) -> callers.put(name, kind.open(endpoint, "direct".equals(name) ? Map.of() : agent)));
        int id = 1;
        for (Map.Entry<String, RequestKind.Caller> caller : callers.entrySet()) {
            int n = caller.getKey().contains("three") ? 3 * warmup : warmup;
            for (int i = 0; i < n; i++) {
                caller.getValue().call(id++);
            }
        }
        Map<String, long[]> micros = new LinkedHashMap<>();
        callers.keySet().forEach(name -> micros.put(name, new long[calls]));
        for (int done = 0; done < calls; done += ROUND) {
            for (Map.Entry<String, RequestKind.Caller> caller : callers.entrySet()) {
                long[] samples = micros.get(caller.getKey());
                for (int i = done; i < Math.min(calls, done + ROUND); i++) {
                    long t0 = System.nanoTime();
                    caller.getValue().call(id++);
                    samples[i] = (System.nanoTime() - t0) / 1_000;
                }
            }
        }
        callers.values().forEach(RequestKind.Caller::close);
        Map<String, Object> stats = new LinkedHashMap<>();
        micros.forEach((name, samples) -> stats.put(name, SequentialCalls.stats(samples)));
        double direct = (double) ((Map<?, ?>) stats.get("direct")).get("p50Ms");
        Map<String, Object> added = new LinkedHashMap<>();
        stats.forEach((name, s) -> {
            if (!"direct".equals(name)) {
                added.put(name, Math.round(((double) ((Map<?, ?>) s).get("p50Ms") - direct) * 100) / 100.0);
            }
        });
        stats.put("addedP50Ms", added);
        return stats;
    }

    /**
     * DynamoDB requests per call of each kind, through a counting proxy: on one instance, and on two instances
     * taking turns on one session (the chain head each remembers is stale every time).
     */
    private static Map<String, Object> roundTrips(LocalBrokerStack stack, Path zip, Map<String, String> agent,
                                                  List<AutoCloseable> started) {
        CountingHttpProxy proxy = CountingHttpProxy.to(stack.aws().dynamoDbEndpoint());
        started.add(proxy);
        Map<String, String> viaProxy = Map.of("BROKER_AWS_DYNAMODB_ENDPOINT", proxy.endpoint().toString());
        LocalLambda a = stack.addBroker(zip, viaProxy);
        LocalLambda b = stack.addBroker(zip, viaProxy);
        LocalLambda[] instances = {a, b};
        Map<String, Object> trips = new LinkedHashMap<>();
        int id = 1;
        for (RequestKind kind : RequestKind.values()) {
            Function<String, URI> onA = server -> a.baseUri().resolve("/mcp/" + server);
            RequestKind.Caller caller = kind.open(onA, agent);
            for (int i = 0; i < 5; i++) {
                caller.call(id++); // warm caches: policy, registry, tool annotations, the upstream's generation
                new RequestKind.Caller(kind, b.baseUri().resolve("/mcp/" + kind.server), caller.headers(), caller.sessionId())
                        .call(id++);
            }
            proxy.reset();
            for (int i = 0; i < COUNTED_CALLS; i++) {
                caller.call(id++);
            }
            Map<String, Object> kindTrips = new LinkedHashMap<>();
            kindTrips.put("oneInstance", perCall(proxy.counts()));
            proxy.reset();
            for (int i = 0; i < COUNTED_CALLS; i++) {
                LocalLambda instance = instances[i % 2];
                new RequestKind.Caller(kind, instance.baseUri().resolve("/mcp/" + kind.server), caller.headers(),
                        caller.sessionId()).call(id++);
            }
            kindTrips.put("twoInstancesTakingTurns", perCall(proxy.counts()));
            caller.close();
            trips.put(kind.name(), kindTrips);
        }
        return trips;
    }

    private static Map<String, Object> perCall(Map<String, Long> counts) {
        Map<String, Object> perCall = new LinkedHashMap<>();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        perCall.put("total", Math.round(total * 100.0 / COUNTED_CALLS) / 100.0);
        counts.forEach((operation, count) -> perCall.put(operation, Math.round(count * 100.0 / COUNTED_CALLS) / 100.0));
        return perCall;
    }
}
