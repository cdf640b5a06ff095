package dev.mcpbroker.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final TraceContext CONTEXT = new TraceContext(Map.of("traceparent", PARENT, "tracestate", "vendor=1"));

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void contextGoesIntoACopysMetaAndTheOriginalMessageIsUnchanged() throws Exception {
        ObjectNode call = json("""
                {"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"transfer","arguments":{"amountCents":5},
                 "_meta":{"dev.mcpbroker/idempotencyKey":"k-1"}}}""");
        String before = call.toString();

        ObjectNode sent = CONTEXT.into(call);

        assertThat(call.toString()).isEqualTo(before);
        assertThat(sent.path("params").path("_meta").path("traceparent").asText()).isEqualTo(PARENT);
        assertThat(sent.path("params").path("_meta").path("tracestate").asText()).isEqualTo("vendor=1");
        assertThat(sent.path("params").path("_meta").path("dev.mcpbroker/idempotencyKey").asText()).isEqualTo("k-1");
        // Only the path to _meta is copied: the arguments are the agent's own node, not a duplicate.
        assertThat(sent.path("params").get("arguments")).isSameAs(call.path("params").get("arguments"));
        assertThat(sent.path("id").asInt()).isEqualTo(4);
    }

    @Test
    void aMessageWithoutParamsGetsParamsWithMetaOnly() throws Exception {
        ObjectNode ping = json("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        assertThat(CONTEXT.into(ping).path("params").path("_meta").path("traceparent").asText()).isEqualTo(PARENT);
        assertThat(ping.has("params")).isFalse();
    }

    @Test
    void responsesAndUntracedMessagesAreSentAsTheyAre() throws Exception {
        ObjectNode response = json("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}");
        assertThat(CONTEXT.into(response)).isSameAs(response);
        ObjectNode ping = json("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        assertThat(TraceContext.NONE.into(ping)).isSameAs(ping);
    }

    @Test
    void onlyTraceContextIsReadFromAnAgentsMeta() throws Exception {
        TraceContext carried = TraceContext.carriedBy(json("""
                {"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"traceparent":"%s","tracestate":"a=b",
                 "baggage":"user=alice","progressToken":3}}}""".formatted(PARENT)));
        assertThat(carried.fields()).isEqualTo(Map.of("traceparent", PARENT, "tracestate", "a=b"));
        assertThat(TraceContext.carriedBy(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")).isEmpty()).isTrue();
        // tracestate without a traceparent is no context
        assertThat(TraceContext.carriedBy(json("""
                {"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"tracestate":"a=b"}}}""")).isEmpty()).isTrue();
    }
}
