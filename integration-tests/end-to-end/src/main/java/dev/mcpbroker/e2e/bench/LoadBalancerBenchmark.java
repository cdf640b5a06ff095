package dev.mcpbroker.e2e.bench;

import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.lb.Nginx;
import dev.mcpbroker.testkit.lb.NginxBinary;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench.sh load-balancer}: what putting broker replicas behind a plain round-robin load balancer
 * ({@code infra/nginx/mcp-broker-lb.conf}) costs per call, and what one broker instance carries.
 *
 * <ul>
 *   <li>Sequential {@code tools/call} latency (p50/p90/p99): straight to the demo upstream; through one broker
 *       instance (local API gateway, function JVM, DynamoDB Local); through nginx in front of that one instance (the
 *       load balancer's own hop); through nginx round-robin over three instances (every call of the session on
 *       the next replica).</li>
 *   <li>Throughput: {@code bench.clients} concurrent sessions calling for {@code bench.seconds} through one
 *       instance, and through nginx over three, in calls per second. Like a Lambda execution environment, an
 *       instance handles one invocation at a time, so one instance's throughput is about 1 / its latency; on a
 *       machine with few cores the three instances, the upstream and DynamoDB Local share the same CPUs.</li>
 * </ul>
 *
 * Every path uses the same JDK HTTP client (HTTP/1.1, persistent connections). Results are printed and written to
 * {@code bench.out} ({@code target/bench/load-balancer.json}).
 */
public final class LoadBalancerBenchmark {

    private LoadBalancerBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/load-balancer.json", LoadBalancerBenchmark::run);
    }

    private static Map<String, Object> run() throws IOException {
        int warmup = Integer.getInteger("bench.warmup", 300);
        int calls = Integer.getInteger("bench.calls", 1000);
        int clients = Integer.getInteger("bench.clients", 8);
        int seconds = Integer.getInteger("bench.seconds", 10);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warmupCalls", warmup);
        results.put("measuredCalls", calls);
        results.put("cpus", Runtime.getRuntime().availableProcessors());
        results.put("nginx", NginxBinary.version(NginxBinary.get()));
        results.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, Path.of("target/bench/logs").toAbsolutePath())) {
            List<LocalLambda> brokers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                brokers.add(stack.addBroker());
            }
            Map<String, String> agent = stack.devAuthorization();
            try (Nginx single = Nginx.roundRobin(List.of(brokers.get(0).baseUri()));
                    Nginx three = Nginx.roundRobin(brokers.stream().map(LocalLambda::baseUri).toList())) {
                URI direct = stack.payments().mcpEndpoint();
                URI oneBroker = payments(brokers.get(0).baseUri());
                URI oneBehindNginx = payments(single.baseUri());
                URI threeBehindNginx = payments(three.baseUri());

                Map<String, SequentialCalls.Session> paths = new LinkedHashMap<>();
                paths.put("direct", SequentialCalls.Session.open(direct, Map.of()));
                paths.put("oneBroker", SequentialCalls.Session.open(oneBroker, agent));
                paths.put("oneBrokerBehindNginx", SequentialCalls.Session.open(oneBehindNginx, agent));
                paths.put("threeBrokersBehindNginxRoundRobin", SequentialCalls.Session.open(threeBehindNginx, agent));
                results.put("sequentialToolsCall", SequentialCalls.sequential(paths, warmup, calls));

                Map<String, Object> throughput = new LinkedHashMap<>();
                throughput.put("clients", clients);
                throughput.put("seconds", seconds);
                throughput.put("oneBroker", concurrent(oneBroker, agent, clients, seconds));
                throughput.put("threeBrokersBehindNginxRoundRobin", concurrent(threeBehindNginx, agent, clients, seconds));
                results.put("throughput", throughput);
                results.put("requestsPerReplicaThroughNginx", three.requestsByBackend().values());
                results.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
        return results;
    }

    private static URI payments(URI base) {
        return base.resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }

    /** {@code clients} sessions calling as fast as they are answered: 2 s unmeasured, then {@code seconds} measured. */
    private static Map<String, Object> concurrent(URI endpoint, Map<String, String> headers, int clients, int seconds) {
        long warmEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        long measureEnd = warmEnd + Duration.ofSeconds(seconds).toNanos();
        AtomicLong errors = new AtomicLong();
        List<Future<List<Long>>> runs = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                runs.add(executor.submit(() -> {
                    SequentialCalls.Session session = SequentialCalls.Session.open(endpoint, headers);
                    List<Long> measured = new ArrayList<>();
                    int id = 1;
                    for (long now = System.nanoTime(); now < measureEnd; now = System.nanoTime()) {
                        try {
                            session.callTool(id++);
                            long done = System.nanoTime();
                            if (now >= warmEnd) {
                                measured.add((done - now) / 1_000);
                            }
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                        }
                    }
                    session.close();
                    return measured;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> run : runs) {
                all.addAll(run.get());
            }
            long[] micros = all.stream().mapToLong(Long::longValue).toArray();
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("callsPerSecond", Math.round(micros.length * 10.0 / seconds) / 10.0);
            stats.put("calls", micros.length);
            stats.put("errors", errors.get());
            stats.putAll(SequentialCalls.stats(micros));
            return stats;
        } catch (Exception e) {
            throw new IllegalStateException("throughput run against " + endpoint + " failed", e);
        }
    }
}
