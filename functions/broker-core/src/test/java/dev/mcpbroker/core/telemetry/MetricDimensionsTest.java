package dev.mcpbroker.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MetricDimensionsTest {

    @Test
    void specifiedMethodsAreTheirOwnDimensionAndAnyOtherMethodIsOther() {
        MetricDimensions dimensions = new MetricDimensions(10);
        assertThat(dimensions.method("tools/call")).isEqualTo("tools/call");
        assertThat(dimensions.method("notifications/initialized")).isEqualTo("notifications/initialized");
        assertThat(dimensions.method("mcp-broker/outcome")).isEqualTo("mcp-broker/outcome");
        assertThat(dimensions.method("made/up-" + 42)).isEqualTo(MetricDimensions.OTHER);
        assertThat(dimensions.method(null)).isNull();
    }

    @Test
    void toolNamesBeyondTheLimitPerServerAreOtherWhileTheAdmittedOnesStayTheirOwn() {
        MetricDimensions dimensions = new MetricDimensions(3);
        List<String> seen = IntStream.range(0, 50).mapToObj(i -> dimensions.tool("payments", "tool_" + i)).toList();

        assertThat(seen.subList(0, 3)).containsExactly("tool_0", "tool_1", "tool_2");
        assertThat(seen.subList(3, 50)).containsOnly(MetricDimensions.OTHER);
        assertThat(dimensions.tool("payments", "tool_1")).isEqualTo("tool_1");
        assertThat(dimensions.tool("ledger", "tool_9")).as("each server has its own allowance").isEqualTo("tool_9");
    }

    @Test
    void namesThatAreNotMcpToolNamesAreOtherAndUseNoAllowance() {
        MetricDimensions dimensions = new MetricDimensions(1);
        assertThat(dimensions.tool("payments", "x".repeat(129))).isEqualTo(MetricDimensions.OTHER);
        assertThat(dimensions.tool("payments", "drop table; --")).isEqualTo(MetricDimensions.OTHER);
        assertThat(dimensions.tool("payments", "")).isEqualTo(MetricDimensions.OTHER);
        assertThat(dimensions.tool("payments", "get_balance.v2-beta")).isEqualTo("get_balance.v2-beta");
        assertThat(dimensions.tool("payments", null)).isNull();
    }

    @Test
    void concurrentNewNamesNeverExceedTheLimit() {
        MetricDimensions dimensions = new MetricDimensions(5);
        Set<String> reported = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 2_000).parallel().forEach(i -> reported.add(dimensions.tool("payments", "t" + (i % 200))));

        Set<String> own = new HashSet<>(reported);
        own.remove(MetricDimensions.OTHER);
        assertThat(own).hasSize(5);
        assertThat(reported).contains(MetricDimensions.OTHER);
    }
}
