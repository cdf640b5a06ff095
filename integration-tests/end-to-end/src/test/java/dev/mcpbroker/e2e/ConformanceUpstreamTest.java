package dev.mcpbroker.e2e;

import dev.mcpbroker.testkit.conformance.ConformanceRun;
import dev.mcpbroker.testkit.process.LoopbackOnly;
import dev.mcpbroker.testkit.conformance.ConformanceSuite;
import dev.mcpbroker.testkit.conformance.ExpectedFailures;
import dev.mcpbroker.testkit.conformance.RequirementSet;
import dev.mcpbroker.testkit.conformance.ScenarioResult;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MCP conformance suite run directly against the project's fixture server, on both requirement sets: it must
 * pass every scored scenario and fail exactly the scenarios {@code integration-tests/conformance/expected-failures.yaml}
 * lists. A gateway put in front of the same server is later held to the same score.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class ConformanceUpstreamTest {

    /** The scored scenarios of each requirement set (frozen in the pinned suite). */
    private static final Map<String, Integer> SCORED = Map.of("2025-11-25", 30, "2026-07-28", 37);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(75);

    private static ConformanceSuite suite;
    private static ExpectedFailures expectedFailures;
    private static ConformanceUpstream dualEra;

    @BeforeAll
    static void install() {
        long t0 = System.nanoTime();
        suite = ConformanceSuite.install();
        expectedFailures = ExpectedFailures.load();
        dualEra = ConformanceUpstream.start();
        System.out.printf("conformance suite %s and %s ready in %d ms%n", ConformanceSuite.VERSION, dualEra,
                (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        if (dualEra != null) {
            dualEra.close();
        }
    }

    @ParameterizedTest(name = "requirements {0}")
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void theDualEraServerPassesEveryScoredScenario(String revision) {
        assertScores(suite.run(dualEra.mcpEndpoint(), revision, Map.of(), RUN_TIMEOUT));
        assertCleanLog(dualEra);
    }

    @Test
    void theFixtureServerListensOnLoopbackOnly() {
        LoopbackOnly.assertListensOnLoopbackOnly(dualEra.port());
    }

    @Test
    void aLegacyOnlyServerScoresTheSameOn2025_11_25() {
        try (ConformanceUpstream legacy = ConformanceUpstream.start(Mode.LEGACY_ONLY)) {
            assertScores(suite.run(legacy.mcpEndpoint(), "2025-11-25", Map.of(), RUN_TIMEOUT));
            assertCleanLog(legacy);
        }
    }

    @Test
    void aModernOnlyServerScoresTheSameOn2026_07_28() {
        try (ConformanceUpstream modern = ConformanceUpstream.start(Mode.MODERN_ONLY)) {
            assertScores(suite.run(modern.mcpEndpoint(), "2026-07-28", Map.of(), RUN_TIMEOUT));
            assertCleanLog(modern);
        }
    }

    /** Every request of the suite (fetch, undici and node:http alike) carries the extra headers. */
    @Test
    void extraHeadersReachTheServerOnEveryRequest() {
        String token = "Bearer conformance-" + System.nanoTime();
        try (ConformanceUpstream guarded = ConformanceUpstream.start(Mode.DUAL_ERA,
                List.of("--require-header", "Authorization=" + token))) {
            assertScores(suite.run(guarded.mcpEndpoint(), "2026-07-28", Map.of("Authorization", token), RUN_TIMEOUT));
            ConformanceRun without = suite.run(guarded.mcpEndpoint(), "2025-11-25", Map.of(), RUN_TIMEOUT);
            assertThat(without.scoredPassed()).as("without the header every scenario meets 401, except the one"
                    + " whose probe the Host check refuses first").isEmpty();
        }
    }

    private static void assertScores(ConformanceRun run) {
        report(run);
        String revision = run.requirements();
        RequirementSet requirements = suite.requirements(revision);
        Map<String, String> expected = expectedFailures.of(revision);
        assertThat(requirements.scored()).hasSize(SCORED.get(revision));
        assertThat(run.scenarios()).extracting(ScenarioResult::name)
                .containsExactlyElementsOf(requirements.allScenarios());
        assertThat(run.failed()).as("failing scenarios of %s (log: %s)", revision, run.log())
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        List<String> scoredPassing = new ArrayList<>(requirements.scored());
        scoredPassing.removeAll(expected.keySet());
        assertThat(run.scoredPassed()).containsExactlyElementsOf(scoredPassing);
        assertThat(run.exitCode()).as("the suite's verdict on the scored scenarios")
                .isEqualTo(run.scoredFailed().isEmpty() ? 0 : 1);
    }

    /** The fixture server logs a handler that threw something other than a protocol error. */
    private static void assertCleanLog(ConformanceUpstream upstream) {
        try {
            assertThat(Files.readString(upstream.log())).doesNotContain("unexpected failure");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void report(ConformanceRun run) {
        System.out.println(run.url() + " " + run.summary());
        run.scenarios().forEach(s -> System.out.println("  " + s));
    }
}
