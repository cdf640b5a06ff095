package dev.mcpbroker.e2e.bench;

import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/bench.sh first-answer}: from starting a function process of the packaged broker (the runtime
 * interface client, as Lambda starts it) to its first answered request, split where Lambda would take a SnapStart
 * snapshot: <em>init</em> (process start until the function asks for its first invocation) and <em>first
 * answer</em> (from there until {@code initialize} and {@code notifications/initialized} are answered), then the
 * first {@code tools/call}. A snapshot restore replaces the init part; what priming saves shows in the first-answer
 * part. Variants, each started {@code bench.starts} times, taking turns so that load on the machine hits all alike:
 * <ul>
 *   <li>{@code baseline}: as deployed today;</li>
 *   <li>{@code primed}: priming run during init ({@code BROKER_PRIMING_AT_STARTUP=true}), as it runs before a
 *       snapshot or in a provisioned instance;</li>
 *   <li>{@code appCds}, {@code appCdsPrimed}: the same with an application class-data archive
 *       ({@code -XX:SharedArchiveFile} in {@code JAVA_TOOL_OPTIONS}) dumped by one training start beforehand.</li>
 * </ul>
 * Results (median, min, max per measure) are printed and written to {@code bench.out}.
 */
public final class FirstAnswerBenchmark {

    private FirstAnswerBenchmark() {
    }

    public static void main(String[] args) {
        BenchmarkRun.main("target/bench/first-answer.json", FirstAnswerBenchmark::run);
    }

    private static Map<String, Object> run() throws IOException {
        int starts = Integer.getInteger("bench.starts", 5);
        Path logDir = Path.of("target/bench/logs").toAbsolutePath();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("starts", starts);
        results.put("cpus", Runtime.getRuntime().availableProcessors());
        results.put("java", Runtime.version().toString());
        results.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        try (LocalBrokerStack stack = LocalBrokerStack.start(0, false, logDir)) {
            Map<String, String> agent = stack.devAuthorization();
            Path archive = logDir.resolve("broker-appcds.jsa");
            Files.deleteIfExists(archive);
            // the training start: the classes of init, the first answer and some calls go into the archive at exit
            Start.measure(stack, agent, Map.of("JAVA_TOOL_OPTIONS", "-XX:ArchiveClassesAtExit=" + archive), 20, logDir);
            results.put("appCdsArchiveBytes", Files.exists(archive) ? Files.size(archive) : 0);
            if (!Files.exists(archive)) {
                // the training start's log says why (with Lambda's class path: the task root is a non-empty directory)
                results.put("appCdsArchiveError", cdsErrors(logDir.resolve("broker-1-1.log")));
            }

            Map<String, Map<String, String>> variants = new LinkedHashMap<>();
            variants.put("baseline", Map.of());
            variants.put("primed", Map.of("BROKER_PRIMING_AT_STARTUP", "true"));
            if (Files.exists(archive)) {
                String useArchive = "-XX:SharedArchiveFile=" + archive + " -Xlog:cds=off -Xlog:cds+dynamic=off";
                variants.put("appCds", Map.of("JAVA_TOOL_OPTIONS", useArchive));
                variants.put("appCdsPrimed", Map.of("JAVA_TOOL_OPTIONS", useArchive, "BROKER_PRIMING_AT_STARTUP", "true"));
            }
            Map<String, List<Start>> measured = new LinkedHashMap<>();
            variants.keySet().forEach(name -> measured.put(name, new ArrayList<>()));
            for (int i = 0; i < starts; i++) {
                for (Map.Entry<String, Map<String, String>> variant : variants.entrySet()) {
                    measured.get(variant.getKey()).add(Start.measure(stack, agent, variant.getValue(), 0, logDir));
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            measured.forEach((name, runs) -> summary.put(name, Start.summarise(runs)));
            results.put("variants", summary);
            results.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return results;
    }

    /** One function process from its start to its first tools/call, in milliseconds. */
    record Start(double startToInitMs, double initToFirstAnswerMs, double startToFirstAnswerMs, double firstToolsCallMs,
                 double cpuToFirstAnswerMs, double primingMs) {

        private static final Pattern PRIMED = Pattern.compile("primed \\(init\\) in (\\d+) ms");

        /** Starts a broker with {@code env}, answers initialize, one tools/call and {@code moreCalls} more, stops it. */
        static Start measure(LocalBrokerStack stack, Map<String, String> agent, Map<String, String> env, int moreCalls,
                             Path logDir) {
            long t0 = System.nanoTime();
            LocalLambda broker = stack.addBroker(env);
            try {
                SequentialCalls.Session session = SequentialCalls.Session.open(payments(broker.baseUri()), agent);
                long answered = System.nanoTime();
                double cpu = ProcessCpu.millis(broker.functionPid());
                long initDone = broker.initCompletedAtNanos().orElseThrow(
                        () -> new IllegalStateException("the function answered without asking for an invocation"));
                session.callTool(1);
                long called = System.nanoTime();
                for (int i = 0; i < moreCalls; i++) {
                    session.callTool(2 + i);
                }
                session.close();
                if (moreCalls > 0) {
                    // a training start: the JVM dumps its archive as it exits, which takes a while; let it finish
                    ProcessHandle.of(broker.functionPid()).ifPresent(process -> {
                        process.destroy();
                        process.onExit().orTimeout(5, TimeUnit.MINUTES).join();
                    });
                }
                Matcher primed = PRIMED.matcher(Files.readString(logDir.resolve(broker.name() + "-1.log")));
                return new Start(ms(initDone - t0), ms(answered - initDone), ms(answered - t0), ms(called - answered), cpu,
                        primed.find() ? Double.parseDouble(primed.group(1)) : 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                broker.close();
            }
        }

        static Map<String, Object> summarise(List<Start> runs) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("startToInitMs", stats(runs.stream().mapToDouble(Start::startToInitMs).toArray()));
            summary.put("initToFirstAnswerMs", stats(runs.stream().mapToDouble(Start::initToFirstAnswerMs).toArray()));
            summary.put("startToFirstAnswerMs", stats(runs.stream().mapToDouble(Start::startToFirstAnswerMs).toArray()));
            summary.put("firstToolsCallMs", stats(runs.stream().mapToDouble(Start::firstToolsCallMs).toArray()));
            summary.put("cpuToFirstAnswerMs", stats(runs.stream().mapToDouble(Start::cpuToFirstAnswerMs).toArray()));
            summary.put("primingDuringInitMs", stats(runs.stream().mapToDouble(Start::primingMs).toArray()));
            return summary;
        }

        private static Map<String, Object> stats(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("median", round(sorted[sorted.length / 2]));
            stats.put("min", round(sorted[0]));
            stats.put("max", round(sorted[sorted.length - 1]));
            return stats;
        }

        private static double ms(long nanos) {
            return round(nanos / 1e6);
        }

        private static double round(double value) {
            return Math.round(value * 10) / 10.0;
        }
    }

    private static List<String> cdsErrors(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.contains("[error") && line.contains("[cds")).toList();
    }

    private static URI payments(URI base) {
        return base.resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }
}
