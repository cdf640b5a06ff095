package dev.mcpbroker.testkit.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFilterTest {

    /** The audit forwarder's pattern in infra/template.yaml. */
    private static final String AUDIT_EVENTS = "{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"Keys\":{\"sk\":{\"S\":[{\"prefix\":\"event#\"}]}}}}";

    private static JsonNode record(String eventName, String pk, String sk) throws Exception {
        return new ObjectMapper().readTree("{\"eventName\":\"" + eventName + "\",\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":\""
                + pk + "\"},\"sk\":{\"S\":\"" + sk + "\"}}}}");
    }

    @Test
    void templatePatternKeepsOnlyInsertsOfEventItems() throws Exception {
        EventFilter filter = EventFilter.of(List.of(AUDIT_EVENTS));

        assertThat(filter.matches(record("INSERT", "audit#s1", "event#000000000001"))).isTrue();
        assertThat(filter.matches(record("MODIFY", "audit#s1", "event#000000000001"))).as("delivered mark").isFalse();
        assertThat(filter.matches(record("REMOVE", "audit#s1", "event#000000000001"))).as("TTL deletion").isFalse();
        assertThat(filter.matches(record("INSERT", "audit#s1", "head"))).as("chain head").isFalse();
        assertThat(filter.matches(record("INSERT", "session#s1", "session"))).isFalse();
        assertThat(filter.matches(new ObjectMapper().readTree("{\"eventName\":\"INSERT\"}"))).as("no keys").isFalse();
    }

    @Test
    void patternsAreOredAndNoPatternKeepsEverything() throws Exception {
        EventFilter either = EventFilter.of(List.of("{\"eventName\":[\"REMOVE\"]}", "{\"eventName\":[\"MODIFY\"]}"));

        assertThat(either.matches(record("MODIFY", "a", "b"))).isTrue();
        assertThat(either.matches(record("REMOVE", "a", "b"))).isTrue();
        assertThat(either.matches(record("INSERT", "a", "b"))).isFalse();
        assertThat(EventFilter.none().matches(record("INSERT", "a", "b"))).isTrue();
    }

    @Test
    void suffixAnythingButExistsAndCaseInsensitiveEqualityMatchAsLambdaDoes() throws Exception {
        JsonNode insert = record("INSERT", "audit#s1", "event#1");

        assertThat(EventFilter.of(List.of("{\"dynamodb\":{\"Keys\":{\"sk\":{\"S\":[{\"suffix\":\"#1\"}]}}}}")).matches(insert)).isTrue();
        assertThat(EventFilter.of(List.of("{\"eventName\":[{\"anything-but\":[\"REMOVE\",\"MODIFY\"]}]}")).matches(insert)).isTrue();
        assertThat(EventFilter.of(List.of("{\"eventName\":[{\"anything-but\":\"INSERT\"}]}")).matches(insert)).isFalse();
        assertThat(EventFilter.of(List.of("{\"dynamodb\":{\"OldImage\":[{\"exists\":false}]}}")).matches(insert)).isTrue();
        assertThat(EventFilter.of(List.of("{\"dynamodb\":{\"Keys\":[{\"exists\":true}]}}")).matches(insert)).isTrue();
        assertThat(EventFilter.of(List.of("{\"eventName\":[{\"equals-ignore-case\":\"insert\"}]}")).matches(insert)).isTrue();
    }

    @Test
    void operatorsItCannotHonourAreRefusedWhenTheFilterIsBuilt() {
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"size\":[{\"numeric\":[\">\",5]}]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric");
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"eventName\":[{\"anything-but\":{\"prefix\":\"I\"}}]}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"eventName\":\"INSERT\"}")))
                .as("a bare value instead of a list").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventFilter.of(List.of("not json"))).isInstanceOf(IllegalArgumentException.class);
    }
}
