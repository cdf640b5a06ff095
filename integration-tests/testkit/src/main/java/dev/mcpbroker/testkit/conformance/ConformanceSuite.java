package dev.mcpbroker.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.upstream.NodeTools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned with its dependency tree in
 * {@code integration-tests/conformance/package-lock.json}), installed with Node 22 under
 * {@code <repo>/.tools/conformance}, run as {@code conformance server --url URL --requirements REV} against any
 * server (directly, or a gateway in front of one), with optional extra headers on every request it sends.
 */
public final class ConformanceSuite {

    public static final String PACKAGE = "@modelcontextprotocol/conformance";
    public static final String VERSION = "0.2.0-alpha.12";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESULT_DIR =
            Pattern.compile("server-(.+)-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-\\d{3}Z");
    private static final String PRELOAD = "extra-headers.cjs";

    private final Path node;
    private final Path modules;

    private ConformanceSuite(Path node, Path modules) {
        this.node = node;
        this.modules = modules;
    }

    /** Installs Node 22 and the pinned suite if needed (file-locked: parallel JVMs install once). */
    public static ConformanceSuite install() {
        Path project = RepoPaths.repoRoot().resolve("integration-tests").resolve("conformance");
        Path modules = NodeTools.installLockedProject(project, RepoPaths.toolsDir().resolve("conformance"));
        ConformanceSuite suite = new ConformanceSuite(NodeTools.node(), modules);
        if (!Files.isRegularFile(suite.cli())) {
            throw new IllegalStateException(suite.cli() + " is missing after npm ci");
        }
        return suite;
    }

    /** {@code .../node_modules/@modelcontextprotocol/conformance}. */
    public Path packageDir() {
        return modules.resolve(PACKAGE);
    }

    public Path cli() {
        return packageDir().resolve("dist").resolve("index.js");
    }

    public RequirementSet requirements(String revision) {
        return RequirementSet.read(packageDir().resolve("requirements").resolve(revision + ".yaml"), revision);
    }

    /** Runs the server scenarios of requirement set {@code revision} against {@code url}. */
    public ConformanceRun run(URI url, String revision) {
        return run(url, revision, Map.of(), DEFAULT_TIMEOUT);
    }

    /**
     * As {@link #run(URI, String)}, adding {@code headers} (e.g. {@code Authorization}) to every request the suite
     * sends, unless a scenario sets that header itself.
     *
     * @throws IllegalStateException when the suite does not finish within {@code timeout} (it is killed)
     */
    public ConformanceRun run(URI url, String revision, Map<String, String> headers, Duration timeout) {
        RequirementSet requirements = requirements(revision);
        Path outputDir = RepoPaths.callerTarget().resolve("conformance")
                .resolve(revision + "-" + Instant.now().toString().replace(':', '-'));
        Path results = outputDir.resolve("results");
        Path log = outputDir.resolve("conformance.log");
        List<String> command = new ArrayList<>(List.of(node.toString()));
        if (!headers.isEmpty()) {
            command.addAll(List.of("--require", preload(outputDir).toString()));
        }
        command.addAll(List.of(cli().toString(), "server", "--url", url.toString(), "--requirements", revision,
                "-o", results.toString()));
        Instant start = Instant.now();
        int exit;
        try {
            Files.createDirectories(results);
            ProcessBuilder builder = new ProcessBuilder(command).directory(outputDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("PATH", NodeTools.pathWithNode());
            builder.environment().put("NO_COLOR", "1");
            if (!headers.isEmpty()) {
                builder.environment().put("MCP_CONFORMANCE_EXTRA_HEADERS", JSON.writeValueAsString(headers));
                builder.environment().put("MCP_CONFORMANCE_UNDICI", modules.resolve("undici").toString());
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("the conformance suite (" + revision + ") against " + url
                        + " did not finish within " + timeout + "; log: " + log);
            }
            exit = process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run the conformance suite: " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running the conformance suite", e);
        }
        Duration duration = Duration.between(start, Instant.now());
        List<ScenarioResult> scenarios = new ArrayList<>();
        for (String scenario : requirements.allScenarios()) {
            scenarios.add(result(results, scenario, requirements));
        }
        return new ConformanceRun(url, revision, duration, exit, List.copyOf(scenarios), results, log);
    }

    private static ScenarioResult result(Path results, String scenario, RequirementSet requirements) {
        boolean scored = requirements.scored().contains(scenario);
        String reason = requirements.notScored().get(scenario);
        Path checks = latestChecks(results, scenario);
        if (checks == null) {
            return new ScenarioResult(scenario, scored, reason, 0, 1, 0,
                    List.of(new ScenarioResult.Check(scenario, "the suite wrote no checks.json: the scenario did not run")));
        }
        int passed = 0;
        int failed = 0;
        int warnings = 0;
        List<ScenarioResult.Check> failures = new ArrayList<>();
        try {
            for (JsonNode check : JSON.readTree(checks.toFile())) {
                switch (check.path("status").asText()) {
                    case "SUCCESS" -> passed++;
                    case "WARNING" -> warnings++;
                    case "FAILURE" -> {
                        failed++;
                        failures.add(new ScenarioResult.Check(check.path("id").asText(),
                                check.path("errorMessage").asText(null)));
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + checks, e);
        }
        return new ScenarioResult(scenario, scored, reason, passed, failed, warnings, List.copyOf(failures));
    }

    /** {@code results/server-<scenario>-<timestamp>/checks.json} of the scenario's latest run, or null. */
    private static Path latestChecks(Path results, String scenario) {
        try (Stream<Path> dirs = Files.list(results)) {
            return dirs.filter(d -> {
                Matcher m = RESULT_DIR.matcher(d.getFileName().toString());
                return m.matches() && m.group(1).equals(scenario) && Files.isRegularFile(d.resolve("checks.json"));
            }).max(Comparator.comparing(d -> d.getFileName().toString())).map(d -> d.resolve("checks.json"))
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path preload(Path outputDir) {
        Path file = outputDir.resolve(PRELOAD);
        try (InputStream in = ConformanceSuite.class.getResourceAsStream(PRELOAD)) {
            if (in == null) {
                throw new IllegalStateException("class-path resource " + PRELOAD + " is missing");
            }
            Files.createDirectories(outputDir);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
