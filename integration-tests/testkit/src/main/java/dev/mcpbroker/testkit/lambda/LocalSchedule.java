package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge schedule ({@code rate(...)}) invoking one function, locally: the first invocation one rate after
 * the start, then one per rate, each with a {@code Scheduled Event}. As with the template's
 * {@code MaximumRetryAttempts: 0}, a failed invocation is not retried; the next one comes on schedule.
 */
public final class LocalSchedule implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LocalSchedule.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");

    private final String name;
    private final FunctionInvoker function;
    private final Consumer<JsonNode> answers;
    private final ScheduledExecutorService timer;

    private LocalSchedule(String name, FunctionInvoker function, Consumer<JsonNode> answers) {
        this.name = name;
        this.function = function;
        this.answers = answers;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("schedule-" + name).factory());
    }

    /**
     * Invokes {@code function} every {@code rate} until closed, handing each answer to {@code answers}.
     *
     * @param name labels the rule and the log lines
     */
    public static LocalSchedule every(Duration rate, String name, FunctionInvoker function, Consumer<JsonNode> answers) {
        if (rate.isNegative() || rate.isZero()) {
            throw new IllegalArgumentException("a schedule's rate must be positive: " + rate);
        }
        LocalSchedule schedule = new LocalSchedule(name, function, Objects.requireNonNull(answers));
        schedule.timer.scheduleAtFixedRate(schedule::fire, rate.toMillis(), rate.toMillis(), TimeUnit.MILLISECONDS);
        return schedule;
    }

    /** The rate of an EventBridge {@code rate(value unit)} expression, e.g. {@code rate(1 minute)}. */
    public static Duration rate(String expression) {
        Matcher rate = RATE.matcher(expression.trim());
        if (!rate.matches()) {
            throw new IllegalArgumentException("not a rate expression this schedule runs: " + expression);
        }
        ChronoUnit unit = switch (rate.group(2)) {
            case "minute", "minutes" -> ChronoUnit.MINUTES;
            case "hour", "hours" -> ChronoUnit.HOURS;
            default -> ChronoUnit.DAYS;
        };
        return Duration.of(Long.parseLong(rate.group(1)), unit);
    }

    private void fire() {
        try {
            answers.accept(function.invoke(JSON.writeValueAsBytes(scheduledEvent())));
        } catch (LambdaRuntimeApi.FunctionError e) {
            LOG.log(System.Logger.Level.WARNING, name + ": the scheduled invocation failed ("
                    + e.kind().name().toLowerCase(java.util.Locale.ROOT) + "); the next one is on schedule");
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, name + ": the scheduled invocation failed: " + e);
        }
    }

    private ObjectNode scheduledEvent() {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0")
                .put("id", UUID.randomUUID().toString())
                .put("detail-type", "Scheduled Event")
                .put("source", "aws.events")
                .put("account", LambdaRuntimeApi.ACCOUNT_ID)
                .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("region", "us-east-1");
        event.putArray("resources").add("arn:aws:events:us-east-1:" + LambdaRuntimeApi.ACCOUNT_ID + ":rule/" + name);
        event.putObject("detail");
        return event;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
