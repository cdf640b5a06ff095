package dev.mcpbroker.testkit.conformance;

import java.util.List;

/**
 * One scenario of a conformance run: whether the requirement set scores it (and if not, why), and its checks.
 * A scenario passes when none of its checks failed (warnings do not fail it).
 *
 * @param notScoredReason null for a scored scenario; else the requirement set's reason (extension, pending, ...)
 * @param failures the failed checks, in the order the suite reported them
 */
public record ScenarioResult(String name, boolean scored, String notScoredReason, int passedChecks, int failedChecks,
        int warnings, List<Check> failures) {

    /** One failed check: its id and the suite's message. */
    public record Check(String id, String errorMessage) {
    }

    public boolean passed() {
        return failedChecks == 0;
    }

    @Override
    public String toString() {
        return (passed() ? "PASS " : "FAIL ") + name + (scored ? "" : " (not scored: " + notScoredReason + ")")
                + " " + passedChecks + " passed, " + failedChecks + " failed"
                + (failures.isEmpty() ? "" : " " + failures);
    }
}
