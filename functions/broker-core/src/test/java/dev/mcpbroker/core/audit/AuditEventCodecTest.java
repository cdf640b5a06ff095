package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditChain chain = new AuditChain(codec);

    @Test
    void roundTripsEveryKindIncludingAbsentValues() {
        Instant t = Instant.parse("2025-06-18T09:30:00.123456789Z");
        AuditEvent intent = chain.first(AuditEvents.intent("s1", "e1", t));
        AuditEvent outcome = chain.next(intent, AuditEvents.outcome("s1", "e2", t));
        AuditEvent refusedBeforeSession = chain.first(AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e3")
                .time(t).decision(AuditEvent.Decision.DENIED).reason("token_expired").build());
        for (AuditEvent e : List.of(intent, outcome, refusedBeforeSession, intent.unchained())) {
            assertThat(codec.decode(codec.encode(e))).isEqualTo(e);
        }
        assertThat(intent.time()).isEqualTo(Instant.parse("2025-06-18T09:30:00.123Z"));
        assertThat(refusedBeforeSession.chainKey()).isEqualTo("no-session:e3");
    }

    @Test
    void fieldNamesTimeAndEnumsAreStable() throws Exception {
        AuditEvent outcome = chain.first(AuditEvents.outcome("s1", "e2", Instant.parse("2025-06-18T09:30:00Z")));
        ObjectNode json = (ObjectNode) JSON.readTree(codec.encode(outcome));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrderElementsOf(AuditEventCodec.FIELDS);
        assertThat(AuditEventCodec.FIELDS).containsExactly("eventId", "kind", "time", "agentId", "tenantId", "onBehalfOf",
                "sessionId", "serverId", "method", "tool", "argumentFingerprint", "decision", "reason", "outcomeClass",
                "upstreamLatencyMillis", "idempotencyKey", "traceId", "correlationId", "sessionSeq", "previousHash", "hash");
        assertThat(json.get("time").asText()).isEqualTo("2025-06-18T09:30:00.000Z");
        assertThat(json.get("kind").asText()).isEqualTo("OUTCOME");
        assertThat(json.get("decision").asText()).isEqualTo("ALLOWED");
        assertThat(json.get("outcomeClass").asText()).isEqualTo("ambiguous");
        assertThat(json.get("upstreamLatencyMillis").asLong()).isEqualTo(25_000L);
        assertThat(json.get("onBehalfOf").isNull()).isTrue();
        // The published bytes are the canonical form: sorted keys, no whitespace.
        assertThat(new String(codec.encode(outcome), StandardCharsets.UTF_8)).isEqualTo(CanonicalJson.write(json))
                .startsWith("{\"agentId\":\"agent-1\",\"argumentFingerprint\":");
    }

    @Test
    void decodingIsStrict() throws Exception {
        AuditEvent e = chain.first(AuditEvents.intent("s1", "e1", Instant.parse("2025-06-18T09:30:00Z")));
        ObjectNode good = codec.toJson(e);

        assertRefused(good.deepCopy().put("arguments", "{\"account\":\"alice\"}"), "unknown field");
        ObjectNode missing = good.deepCopy();
        missing.remove("traceId");
        assertRefused(missing, "missing field 'traceId'");
        assertRefused(good.deepCopy().put("kind", "INTENTION"), "invalid event");
        assertRefused(good.deepCopy().put("time", "2025-06-18T09:30:00Z"), "time");
        assertRefused(good.deepCopy().put("time", "2025-06-18T09:30:00.000+01:00"), "time");
        assertRefused(good.deepCopy().put("sessionSeq", "1"), "'sessionSeq' is not an integer");
        assertRefused(good.deepCopy().put("hash", "ABC"), "invalid event");
        assertRefused(good.deepCopy().put("agentId", 7), "'agentId' is not a string");
        assertThatThrownBy(() -> codec.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AuditEventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> codec.decode("{\"eventId\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AuditEventCodec.MalformedEventException.class).hasMessageStartingWith("not JSON");
    }

    private void assertRefused(ObjectNode json, String message) {
        byte[] bytes = CanonicalJson.bytes(json);
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(AuditEventCodec.MalformedEventException.class)
                .hasMessageContaining(message);
    }
}
