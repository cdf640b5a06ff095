package dev.mcpbroker.function.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.broker.BrokerMetrics;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Broker metrics as CloudWatch embedded metric format (EMF) lines. In Lambda, a JSON line on standard
 * output in this format becomes a metric without any API call on the request path; elsewhere it is a
 * readable structured log line. One line per event keeps the function stateless.
 */
public final class EmfBrokerMetrics implements BrokerMetrics {

    public static final String NAMESPACE = "McpBroker";

    private final ObjectMapper mapper;
    private final Clock clock;
    private final Consumer<String> sink;

    /**
     * @param sink where lines go; standard output in Lambda (read at each call, so tests may redirect it)
     */
    public EmfBrokerMetrics(ObjectMapper mapper, Clock clock, Consumer<String> sink) {
        this.mapper = mapper;
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public void rateLimited(String tenantId, String scope) {
        ObjectNode line = mapper.createObjectNode();
        ObjectNode aws = line.putObject("_aws").put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject().put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("Tenant").add("Scope");
        directive.putArray("Metrics").addObject().put("Name", "RateLimited").put("Unit", "Count");
        line.put("Tenant", tenantId).put("Scope", scope).put("RateLimited", 1);
        sink.accept(line.toString());
    }
}
