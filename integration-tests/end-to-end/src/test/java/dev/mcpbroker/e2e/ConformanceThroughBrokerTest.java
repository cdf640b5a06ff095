package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.testkit.conformance.ConformanceRun;
import dev.mcpbroker.testkit.conformance.ConformanceSuite;
import dev.mcpbroker.testkit.conformance.ExpectedFailures;
import dev.mcpbroker.testkit.conformance.RequirementSet;
import dev.mcpbroker.testkit.conformance.ScenarioResult;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream.Mode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MCP conformance suite through the broker, on both requirement sets: in front of the project's fixture server
 * serving both generations, and in front of the same server serving 2025-11-25 only, which 2026-07-28 agents then
 * reach through the broker's translation. Through the broker must score what the fixture scores directly; each
 * scenario a serverless broker cannot pass is listed, with its reason, in the {@code throughBroker} or
 * {@code throughBrokerToLegacyUpstream} section of {@code integration-tests/conformance/expected-failures.yaml},
 * and a run must fail exactly the listed ones.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ConformanceThroughBrokerTest {

    private static final String AGENT = "conformance-agent";
    private static final String TENANT = "conformance";
    private static final String DUAL_SERVER = "conformance";
    private static final String LEGACY_SERVER = "conformance-legacy";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

    private static ConformanceSuite suite;
    private static LocalBrokerStack stack;
    private static ConformanceUpstream dualEra;
    private static ConformanceUpstream legacyOnly;
    private static Map<String, String> authorization;

    @BeforeAll
    static void start() {
        suite = ConformanceSuite.install();
        stack = SharedStack.get();
        dualEra = ConformanceUpstream.start(Mode.DUAL_ERA);
        legacyOnly = ConformanceUpstream.start(Mode.LEGACY_ONLY);
        PolicyAdmin admin = stack.policyAdmin();
        for (var server : Map.of(DUAL_SERVER, dualEra, LEGACY_SERVER, legacyOnly).entrySet()) {
            admin.registerServer(server.getKey(), server.getValue().mcpEndpoint(), UpstreamAuth.NONE, Duration.ofSeconds(2),
                    Duration.ofSeconds(25));
            // the suite sends no idempotency keys; the fixture's tools change nothing
            admin.setKeyPolicy(server.getKey(), false);
            admin.grant(AGENT, TENANT, new ServerGrant(server.getKey(), null, List.of("*"), List.of("*"), null));
        }
        authorization = Map.of("Authorization", "Bearer " + stack.tokens().forAgent(AGENT).tenant(TENANT)
                .actingFor("conformance@localhost").expiresIn(Duration.ofHours(1)).sign());
    }

    @AfterAll
    static void stop() {
        if (dualEra != null) {
            dualEra.close();
        }
        if (legacyOnly != null) {
            legacyOnly.close();
        }
    }

    @ParameterizedTest(name = "requirements {0}")
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void throughTheBrokerTheDualEraServerScoresWhatItScoresDirectly(String revision) {
        assertScores(suite.run(stack.endpoint(0, DUAL_SERVER), revision, authorization, RUN_TIMEOUT), "throughBroker");
    }

    @ParameterizedTest(name = "requirements {0}")
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void throughTheBrokerALegacyOnlyServerScoresOnBothGenerations(String revision) {
        assertScores(suite.run(stack.endpoint(1, LEGACY_SERVER), revision, authorization, RUN_TIMEOUT),
                "throughBrokerToLegacyUpstream");
    }

    private static void assertScores(ConformanceRun run, String section) {
        report(run);
        String revision = run.requirements();
        RequirementSet requirements = suite.requirements(revision);
        TreeSet<String> expected = new TreeSet<>(ExpectedFailures.load().of(revision).keySet());
        expected.addAll(ExpectedFailures.load(section).of(revision).keySet());
        assertThat(run.scenarios()).extracting(ScenarioResult::name).containsExactlyElementsOf(requirements.allScenarios());
        assertThat(new TreeSet<>(run.failed())).as("failing scenarios of %s through the broker (log: %s)", revision, run.log())
                .isEqualTo(expected);
        List<String> scoredPassing = new ArrayList<>(requirements.scored());
        scoredPassing.removeAll(expected);
        assertThat(run.scoredPassed()).containsExactlyElementsOf(scoredPassing);
    }

    private static void report(ConformanceRun run) {
        System.out.println(run.url() + " " + run.summary());
        run.scenarios().forEach(s -> System.out.println("  " + s));
    }
}
