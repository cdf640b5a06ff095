package dev.mcpbroker.e2e.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.infra.CloudFormationYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The functions {@code infra/template.yaml} declares, as the local run starts them: each one's handler and timeout,
 * and how it is invoked (HTTP API, the state table's stream, a schedule). Read from the template, so the local run
 * runs what a deployment runs; a function invoked any other way stops the local run with a message rather than
 * being left out silently.
 */
public record TemplateFunctions(HttpFunction broker, StreamFunction auditForwarder, ScheduledFunction sessionMaintenance) {

    /** A function behind the HTTP API. */
    public record HttpFunction(String logicalId, String handler, Duration timeout) {
    }

    /** A function fed by a DynamoDB stream: its event source mapping's settings. */
    public record StreamFunction(String logicalId, String handler, Duration timeout, int batchSize, String startingPosition,
                                 List<String> filterPatterns, int maximumRetryAttempts) {
    }

    /** A function on an EventBridge schedule. */
    public record ScheduledFunction(String logicalId, String handler, Duration timeout, String schedule) {
    }

    /** The template of this repository. */
    public static TemplateFunctions read(Path template) {
        try {
            return of(CloudFormationYaml.read(template));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
    }

    static TemplateFunctions of(JsonNode template) {
        HttpFunction broker = null;
        StreamFunction forwarder = null;
        ScheduledFunction maintenance = null;
        List<String> unsupported = new ArrayList<>();
        for (Map.Entry<String, JsonNode> resource : template.path("Resources").properties()) {
            if (!resource.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                continue;
            }
            String id = resource.getKey();
            JsonNode properties = resource.getValue().path("Properties");
            String handler = jvmHandler(id, properties.path("Handler"));
            Duration timeout = Duration.ofSeconds(properties.path("Timeout").asLong(3));
            List<String> types = new ArrayList<>();
            properties.path("Events").forEach(event -> types.add(event.path("Type").asText()));
            JsonNode first = properties.path("Events").elements().hasNext() ? properties.path("Events").elements().next() : null;
            if (!types.isEmpty() && types.stream().allMatch("HttpApi"::equals) && broker == null) {
                broker = new HttpFunction(id, handler, timeout);
            } else if (types.equals(List.of("DynamoDB")) && forwarder == null) {
                forwarder = streamFunction(id, handler, timeout, first.path("Properties"));
            } else if (types.equals(List.of("Schedule")) && maintenance == null) {
                maintenance = new ScheduledFunction(id, handler, timeout, first.path("Properties").path("Schedule").asText());
            } else {
                unsupported.add(id + " (events " + types + ")");
            }
        }
        if (!unsupported.isEmpty() || broker == null || forwarder == null || maintenance == null) {
            throw new IllegalStateException("the local run runs one HTTP API function, one DynamoDB stream function and one"
                    + " scheduled function; the template declares " + (unsupported.isEmpty() ? "fewer" : "also " + unsupported));
        }
        return new TemplateFunctions(broker, forwarder, maintenance);
    }

    private static StreamFunction streamFunction(String id, String handler, Duration timeout, JsonNode event) {
        List<String> patterns = new ArrayList<>();
        event.path("FilterCriteria").path("Filters").forEach(filter -> patterns.add(filter.path("Pattern").asText()));
        return new StreamFunction(id, handler, timeout, event.path("BatchSize").asInt(100),
                event.path("StartingPosition").asText("LATEST"), List.copyOf(patterns),
                event.path("MaximumRetryAttempts").asInt(-1));
    }

    /**
     * The handler of the JVM packaging, which the local run starts: a plain string, or the JVM branch of
     * {@code !If [IsNative, <native>, <jvm>]}.
     */
    private static String jvmHandler(String id, JsonNode handler) {
        if (handler.isTextual()) {
            return handler.asText();
        }
        JsonNode choice = handler.path("Fn::If");
        if (choice.size() == 3 && choice.get(0).asText().equals("IsNative") && choice.get(2).isTextual()) {
            return choice.get(2).asText();
        }
        throw new IllegalStateException(id + ": the local run cannot tell the JVM handler from " + handler);
    }
}
