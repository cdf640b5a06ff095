package dev.mcpbroker.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.RepoPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code integration-tests/conformance/expected-failures.yaml}: per requirement set, the scenarios the fixture server
 * is known to fail, each with the reason. A run must fail exactly these: one more is a regression, one fewer a stale
 * entry.
 */
public final class ExpectedFailures {

    private final Map<String, Map<String, String>> byRevision;

    private ExpectedFailures(Map<String, Map<String, String>> byRevision) {
        this.byRevision = byRevision;
    }

    public static Path defaultFile() {
        return RepoPaths.repoRoot().resolve("integration-tests").resolve("conformance").resolve("expected-failures.yaml");
    }

    public static ExpectedFailures load() {
        return load(defaultFile());
    }

    public static ExpectedFailures load(Path file) {
        return load(file, DIRECT);
    }

    /** The section of the default file for runs through a gateway, e.g. {@code throughBroker}. */
    public static ExpectedFailures load(String section) {
        return load(defaultFile(), section);
    }

    /** Runs directly against the fixture server: the file's {@code requirements} section. */
    public static final String DIRECT = "requirements";

    public static ExpectedFailures load(Path file, String section) {
        try {
            JsonNode root = RequirementSet.YAML.readTree(file.toFile());
            Map<String, Map<String, String>> byRevision = new LinkedHashMap<>();
            root.path(section).fields().forEachRemaining(revision -> {
                Map<String, String> scenarios = new LinkedHashMap<>();
                revision.getValue().forEach(entry -> scenarios.put(entry.path("scenario").asText(),
                        entry.path("reason").asText()));
                byRevision.put(revision.getKey(), Map.copyOf(scenarios));
            });
            return new ExpectedFailures(byRevision);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Scenario -> reason for {@code revision} (empty when nothing is expected to fail). */
    public Map<String, String> of(String revision) {
        return byRevision.getOrDefault(revision, Map.of());
    }
}
