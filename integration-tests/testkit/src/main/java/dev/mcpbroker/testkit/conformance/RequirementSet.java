package dev.mcpbroker.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server leg of one of the suite's frozen requirement sets ({@code requirements/<revision>.yaml} in the npm
 * package): the scenarios it scores, and those it runs without scoring, with the reason.
 */
public record RequirementSet(String revision, List<String> scored, Map<String, String> notScored) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static RequirementSet read(Path file, String revision) {
        try {
            JsonNode root = YAML.readTree(file.toFile());
            List<String> scored = new ArrayList<>();
            root.path("server").forEach(s -> scored.add(s.asText()));
            Map<String, String> notScored = new LinkedHashMap<>();
            root.path("not_scored").forEach(entry -> {
                if ("server".equals(entry.path("leg").asText())) {
                    notScored.put(entry.path("scenario").asText(), entry.path("reason").asText());
                }
            });
            return new RequirementSet(revision, List.copyOf(scored), Map.copyOf(notScored));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the requirement set " + file, e);
        }
    }

    /** Scored first, then not scored, as the suite runs them. */
    public List<String> allScenarios() {
        List<String> all = new ArrayList<>(scored);
        all.addAll(notScored.keySet());
        return all;
    }
}
