package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reports what redaction adds to a typical answer without secrets (the common case): about 4 KB of tools/call result,
 * text items and structured content. A micro benchmark, not a timing assertion: it prints the median and 90th
 * percentile per answer of every form being looked for, next to a search for the raw value alone (what redaction
 * cost before encoded forms were covered), and asserts only that the answer passes unchanged.
 */
class SecretRedactionOverheadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SECRETS = Set.of("upstream-ledger-secret-4f9a1c");
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    /** A plausible answer: ledger rows as text and as structured content, about 4 KB serialised. */
    static ObjectNode typicalAnswer() {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7);
        ObjectNode result = message.putObject("result");
        ArrayNode content = result.putArray("content");
        ArrayNode rows = result.putObject("structuredContent").putArray("transfers");
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 24; i++) {
            text.append("tx-").append(i).append(" alice->bob ").append(1000 + i).append(" EUR Rent %-").append(i).append('\n');
            ObjectNode row = rows.addObject();
            row.put("transferId", "tx-" + i).put("from", "alice").put("to", "Bob").put("amountCents", 1000 + i)
                    .put("currency", "EUR").put("memo", "Monthly rent, flat " + i).put("at", "2030-01-01T10:00:" + (10 + i) + "Z");
            if (i % 8 == 0) {
                content.addObject().put("type", "text").put("text", text.toString());
                text.setLength(0);
            }
        }
        return message;
    }

    @Test
    void redactionOfATypical4KbAnswerWithoutSecretsIsReportedAndLeavesItUnchanged() {
        ObjectNode answer = typicalAnswer();
        String before = answer.toString();
        assertThat(before.length()).isBetween(3_500, 5_000);

        long[] full = measure(() -> SecretRedactor.of(SECRETS).redact(answer));
        long[] rawOnly = measure(() -> rawOnly(answer, SECRETS));
        assertThat(answer.toString()).isEqualTo(before);

        System.out.printf("secret redaction of a %d-byte answer without secrets: every form %s, raw value only %s%n",
                before.length(), summary(full), summary(rawOnly));

        ObjectNode leaking = typicalAnswer();
        ((ObjectNode) leaking.path("result").path("content").get(1)).put("text", "auth " + Base64.getEncoder()
                .encodeToString("Bearer upstream-ledger-secret-4f9a1c".getBytes(StandardCharsets.UTF_8)));
        assertThat(SecretRedactor.of(SECRETS).redact(leaking)).as("the measured redactor does redact").isTrue();
    }

    private static long[] measure(Runnable redaction) {
        for (int i = 0; i < WARMUP; i++) {
            redaction.run();
        }
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            redaction.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static String summary(long[] sorted) {
        return String.format("median %.1f µs, p90 %.1f µs", sorted[sorted.length / 2] / 1000.0,
                sorted[sorted.length * 9 / 10] / 1000.0);
    }

    /** The former search: the raw value in every string value and key, nothing else. */
    private static boolean rawOnly(JsonNode node, Set<String> secrets) {
        boolean found = false;
        if (node.isTextual()) {
            for (String secret : secrets) {
                found |= node.asText().contains(secret);
            }
        }
        for (var it = node.fields(); it.hasNext(); ) {
            var field = it.next();
            for (String secret : secrets) {
                found |= field.getKey().contains(secret);
            }
            found |= rawOnly(field.getValue(), secrets);
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                found |= rawOnly(element, secrets);
            }
        }
        return found;
    }
}
