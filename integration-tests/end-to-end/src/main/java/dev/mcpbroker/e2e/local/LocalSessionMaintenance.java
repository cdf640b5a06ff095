package dev.mcpbroker.e2e.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.lambda.LocalSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The session maintenance function on its schedule: lease reaping, warm pools and the live-session gauges. Each
 * run's answer becomes one line for the console (live sessions of each server against its cap), printed when it
 * differs from the last one, so a quiet broker does not fill the terminal.
 */
public final class LocalSessionMaintenance implements AutoCloseable {

    private final LocalLambda function;
    private final LocalSchedule schedule;
    private final Duration rate;

    private LocalSessionMaintenance(LocalLambda function, LocalSchedule schedule, Duration rate) {
        this.function = function;
        this.schedule = schedule;
        this.rate = rate;
    }

    /**
     * Starts the function and its schedule.
     *
     * @param rate        how often it runs (the template's schedule unless the user chose another)
     * @param environment the function's configuration (AWS endpoints, tables, telemetry)
     * @param console     where each changed report line goes
     */
    public static LocalSessionMaintenance start(TemplateFunctions.ScheduledFunction definition, Duration rate,
                                                Path functionZip, Map<String, String> environment, Path logDir,
                                                Consumer<String> console) {
        LocalLambda function = LocalLambda.startInvokable("session-maintenance", functionZip, definition.handler(),
                environment, logDir, definition.timeout());
        Reports reports = new Reports(console);
        return new LocalSessionMaintenance(function, LocalSchedule.every(rate, definition.logicalId(), function, reports), rate);
    }

    public Duration rate() {
        return rate;
    }

    /** Waits until the function is initialised. */
    public LocalSessionMaintenance awaitReady(Duration timeout) {
        function.awaitReady(timeout);
        return this;
    }

    @Override
    public void close() {
        schedule.close();
        function.close();
    }

    /** Turns each run's summary into a console line, passed on when it changed. */
    static final class Reports implements Consumer<JsonNode> {

        private final Consumer<String> console;
        private String last;

        Reports(Consumer<String> console) {
            this.console = console;
        }

        @Override
        public synchronized void accept(JsonNode summary) {
            String line = line(summary);
            if (!line.equals(last)) {
                console.accept("[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] session maintenance: " + line);
                last = line;
            }
        }

        /** e.g. {@code payments 1 live of 1000, everything 0 live of 1000 (2 expired leases reaped)}. */
        static String line(JsonNode summary) {
            List<String> servers = new ArrayList<>();
            for (Map.Entry<String, JsonNode> server : summary.properties()) {
                JsonNode report = server.getValue();
                StringBuilder text = new StringBuilder(server.getKey()).append(' ')
                        .append(report.path("liveSessions").asLong()).append(" live of ").append(report.path("cap").asLong());
                if (report.path("reapedLeases").asLong() > 0) {
                    text.append(" (").append(report.path("reapedLeases").asLong()).append(" expired leases reaped)");
                }
                if (report.path("warmReady").asLong() > 0) {
                    text.append(", ").append(report.path("warmReady").asLong()).append(" warm");
                }
                if (report.has("failure")) {
                    text.append(", failed: ").append(report.path("failure").asText());
                }
                servers.add(text.toString());
            }
            return servers.isEmpty() ? "no servers registered" : String.join(", ", servers);
        }
    }
}
