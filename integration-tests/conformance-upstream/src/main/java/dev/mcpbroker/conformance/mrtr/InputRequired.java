package dev.mcpbroker.conformance.mrtr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.conformance.dispatch.InputRequest;

import java.util.Map;
import java.util.SequencedMap;

/**
 * Thrown by a 2026-07-28 handler that needs answers the request does not carry: the endpoint turns it into an
 * {@code input_required} result asking for {@code missing}, with a {@code requestState} carrying {@code answered}.
 */
public final class InputRequired extends RuntimeException {

    private final transient SequencedMap<String, InputRequest> missing;
    private final transient Map<String, JsonNode> answered;

    public InputRequired(SequencedMap<String, InputRequest> missing, Map<String, JsonNode> answered) {
        super("input required: " + missing.keySet(), null, false, false);
        this.missing = missing;
        this.answered = answered;
    }

    public SequencedMap<String, InputRequest> missing() {
        return missing;
    }

    public Map<String, JsonNode> answered() {
        return answered;
    }
}
