package dev.mcpbroker.core.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reports what checking a tool list against its approvals adds per {@code tools/list} answer on a pinned server: every
 * definition hashed (canonical JSON, SHA-256) and compared. A micro benchmark, not a timing assertion: it prints the
 * median and 90th percentile for a list of 30 tools with descriptions, schemas and annotations, and asserts only that
 * every tool is found approved.
 */
class ToolPinningOverheadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARMUP = 5_000;
    private static final int MEASURED = 5_000;

    static ArrayNode typicalList() {
        ArrayNode tools = JSON.createArrayNode();
        for (int i = 0; i < 30; i++) {
            ObjectNode tool = tools.addObject().put("name", "tool_" + i).put("title", "Tool " + i)
                    .put("description", "Does thing " + i + " to an account of the ledger; answers in cents. ".repeat(3));
            ObjectNode properties = tool.putObject("inputSchema").put("type", "object").putObject("properties");
            for (String field : new String[] {"from", "to", "amountCents", "currency", "memo"}) {
                properties.putObject(field).put("type", field.equals("amountCents") ? "integer" : "string")
                        .put("description", "The " + field + " of the transfer");
            }
            tool.putObject("annotations").put("readOnlyHint", i % 2 == 0).put("destructiveHint", false);
        }
        return tools;
    }

    @Test
    void checkingA30ToolListAgainstItsApprovalsIsReportedAndFindsEveryToolApproved() {
        ArrayNode list = typicalList();
        Map<String, ApprovedTool> approved = new HashMap<>();
        list.forEach(tool -> approved.put(tool.path("name").asText(),
                new ApprovedTool(ToolDefinition.of(tool), Instant.EPOCH, "ops")));
        ServerPins pins = new ServerPins(PinningMode.ENFORCE, approved);

        long[] nanos = measure(() -> {
            for (JsonNode tool : list) {
                if (pins.statusOf(ToolDefinition.of(tool)) != PinStatus.APPROVED) {
                    throw new AssertionError("not approved: " + tool.path("name"));
                }
            }
        });

        System.out.printf("pinning check of a %d-byte tools/list of %d tools: median %d µs, p90 %d µs%n",
                list.toString().length(), list.size(), nanos[nanos.length / 2] / 1_000, nanos[nanos.length * 9 / 10] / 1_000);
        assertThat(nanos[nanos.length / 2]).isPositive();
    }

    private static long[] measure(Runnable check) {
        for (int i = 0; i < WARMUP; i++) {
            check.run();
        }
        long[] nanos = new long[MEASURED];
        for (int i = 0; i < MEASURED; i++) {
            long start = System.nanoTime();
            check.run();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }
}
