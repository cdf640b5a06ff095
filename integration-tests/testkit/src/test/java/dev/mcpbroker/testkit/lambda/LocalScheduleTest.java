package dev.mcpbroker.testkit.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LocalScheduleTest {

    @Test
    void rateExpressionsOfTheTemplateBecomeDurations() {
        assertThat(LocalSchedule.rate("rate(1 minute)")).isEqualTo(Duration.ofMinutes(1));
        assertThat(LocalSchedule.rate("rate(5 minutes)")).isEqualTo(Duration.ofMinutes(5));
        assertThat(LocalSchedule.rate("rate(2 hours)")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> LocalSchedule.rate("cron(0 12 * * ? *)")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invokesWithAScheduledEventEachRateAndHandsOnEveryAnswerEvenAfterAFailure() {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        List<JsonNode> answers = new CopyOnWriteArrayList<>();
        try (LocalSchedule ignored = LocalSchedule.every(Duration.ofMillis(100), "every-100ms", event -> {
            try {
                events.add(json.readTree(event));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (events.size() == 1) {
                throw new LambdaRuntimeApi.FunctionError(LambdaRuntimeApi.FunctionError.Kind.ERROR, "first run fails");
            }
            return json.createObjectNode().put("run", events.size());
        }, answers::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() >= 2);
        }
        assertThat(events.getFirst().path("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(events.getFirst().path("source").asText()).isEqualTo("aws.events");
        assertThat(events.getFirst().path("resources").get(0).asText()).endsWith(":rule/every-100ms");
        assertThat(answers.getFirst().path("run").asInt()).isEqualTo(2);
    }
}
