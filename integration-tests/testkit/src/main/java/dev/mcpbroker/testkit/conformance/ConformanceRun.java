package dev.mcpbroker.testkit.conformance;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The outcome of {@code conformance server --requirements <rev>} against one URL: every scenario the requirement
 * set runs, scored or not, with its checks.
 *
 * @param exitCode the CLI's exit code (0 when every scored scenario passed)
 * @param outputDir where the suite wrote each scenario's {@code checks.json}
 * @param log the CLI's combined output
 */
public record ConformanceRun(URI url, String requirements, Duration duration, int exitCode,
        List<ScenarioResult> scenarios, Path outputDir, Path log) {

    public List<ScenarioResult> scored() {
        return filter(ScenarioResult::scored);
    }

    public List<ScenarioResult> notScored() {
        return filter(s -> !s.scored());
    }

    /** Names of the scored scenarios that passed, in the suite's order. */
    public List<String> scoredPassed() {
        return names(s -> s.scored() && s.passed());
    }

    /** Names of the scored scenarios that failed, in the suite's order. */
    public List<String> scoredFailed() {
        return names(s -> s.scored() && !s.passed());
    }

    /** Names of every failing scenario, scored or not. */
    public List<String> failed() {
        return names(s -> !s.passed());
    }

    public ScenarioResult scenario(String name) {
        return scenarios.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + name + " in " + this));
    }

    /** {@code 2026-07-28: 37/37 scored scenarios passed (not scored: 4/13 passed) in 7.1 s}. */
    public String summary() {
        long notScoredPassed = notScored().stream().filter(ScenarioResult::passed).count();
        return String.format("%s: %d/%d scored scenarios passed (not scored: %d/%d passed) in %.1f s", requirements,
                scoredPassed().size(), scored().size(), notScoredPassed, notScored().size(),
                duration.toMillis() / 1000.0);
    }

    private List<ScenarioResult> filter(Predicate<ScenarioResult> p) {
        return scenarios.stream().filter(p).toList();
    }

    private List<String> names(Predicate<ScenarioResult> p) {
        return scenarios.stream().filter(p).map(ScenarioResult::name).toList();
    }
}
