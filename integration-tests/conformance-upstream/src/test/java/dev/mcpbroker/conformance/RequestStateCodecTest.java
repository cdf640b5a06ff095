package dev.mcpbroker.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.McpError;
import dev.mcpbroker.conformance.mrtr.RequestStateCodec;
import dev.mcpbroker.conformance.mrtr.RequestStateCodec.Binding;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestStateCodecTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private final Binding binding = new Binding("tools/call", "t", Json.object("a", 1, "b", "x"), "Bearer one");
    private final Map<String, JsonNode> answers = Map.of("user_name", Json.object("action", "accept"));

    @Test
    void roundTripsTheAnswersForTheSameRequestWhateverTheArgumentOrder() {
        RequestStateCodec codec = new RequestStateCodec(KEY, Clock.systemUTC());
        String state = codec.encode(binding, answers);
        Binding reordered = new Binding("tools/call", "t", Json.object("b", "x", "a", 1), "Bearer one");
        assertThat(codec.decode(state, reordered)).isEqualTo(answers);
        assertThat(codec.encode(binding, answers)).as("a nonce makes every state unique").isNotEqualTo(state);
    }

    @Test
    void refusesTamperingAnotherRequestAnotherCallerAndExpiry() {
        RequestStateCodec codec = new RequestStateCodec(KEY, Clock.systemUTC());
        String state = codec.encode(binding, answers);
        assertRejected(() -> codec.decode(state + "-TAMPERED", binding));
        assertRejected(() -> codec.decode("x" + state, binding));
        assertRejected(() -> codec.decode(state, new Binding("tools/call", "other", binding.arguments(), "Bearer one")));
        assertRejected(() -> codec.decode(state, new Binding("tools/call", "t", binding.arguments(), "Bearer two")));
        assertRejected(() -> new RequestStateCodec("another key, another process....".getBytes(), Clock.systemUTC())
                .decode(state, binding));
        RequestStateCodec late = new RequestStateCodec(KEY, Clock.fixed(Instant.now().plus(RequestStateCodec.TTL)
                .plusSeconds(1), ZoneOffset.UTC));
        assertRejected(() -> late.decode(state, binding));
    }

    private static void assertRejected(Runnable decode) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(McpError.class,
                e -> assertThat(e.code()).isEqualTo(McpError.INVALID_PARAMS));
    }
}
