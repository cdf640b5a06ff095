package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed schema describes exactly what {@link AuditEventCodec} writes, and nothing else. */
class AuditEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode schemaJson;
    private static JsonSchema schema;
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditChain chain = new AuditChain(codec);

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = AuditEventCodec.class.getResourceAsStream(AuditEventCodec.SCHEMA_RESOURCE)) {
            assertThat(in).as(AuditEventCodec.SCHEMA_RESOURCE).isNotNull();
            schemaJson = JSON.readTree(in);
        }
        assertThat(schemaJson.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaJson, config);
    }

    private static Set<ValidationMessage> validate(JsonNode event) {
        return schema.validate(event);
    }

    private List<ObjectNode> producedEvents() {
        Instant t = Instant.parse("2025-06-18T09:30:00.5Z");
        AuditEvent intent = chain.first(AuditEvents.intent("s1", "e1", t));
        AuditEvent outcome = chain.next(intent, AuditEvents.outcome("s1", "e2", t.plusMillis(25_000)));
        AuditEvent denied = chain.next(outcome, AuditEvents.denied("s1", "e3", t.plusMillis(25_100)));
        AuditEvent toolError = chain.next(denied, AuditEvent.builder(AuditEvent.Kind.OUTCOME).eventId("e4").time(t)
                .sessionId("s1").outcomeClass(AuditEvent.OutcomeClass.TOOL_ERROR).build());
        AuditEvent listTools = chain.next(toolError, AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e5").time(t)
                .sessionId("s1").agentId("a").tenantId("t").serverId("payments").method("tools/list").build());
        AuditEvent unauthenticated = chain.first(AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e6").time(t)
                .decision(AuditEvent.Decision.DENIED).reason("token_signature_invalid").build());
        List<ObjectNode> out = new ArrayList<>();
        for (AuditEvent e : List.of(intent, outcome, denied, toolError, listTools, unauthenticated)) {
            out.add(codec.toJson(e));
        }
        return out;
    }

    @Test
    void everyEventTheCodecProducesValidates() throws Exception {
        for (ObjectNode event : producedEvents()) {
            assertThat(validate(JSON.readTree(codec.encode(codec.fromJson(event))))).as(event.toString()).isEmpty();
        }
    }

    @Test
    void schemaPropertiesAreExactlyTheCodecsFieldsAllRequired() {
        List<String> properties = new ArrayList<>();
        schemaJson.get("properties").fieldNames().forEachRemaining(properties::add);
        List<String> required = new ArrayList<>();
        schemaJson.get("required").forEach(n -> required.add(n.asText()));
        assertThat(properties).containsExactlyElementsOf(AuditEventCodec.FIELDS);
        assertThat(required).containsExactlyElementsOf(AuditEventCodec.FIELDS);
        assertThat(schemaJson.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schemaJson.at("/properties/kind/enum").toString()).isEqualTo("[\"INTENT\",\"OUTCOME\",\"DECISION\"]");
        assertThat(schemaJson.at("/properties/decision/enum").toString()).isEqualTo("[\"ALLOWED\",\"DENIED\"]");
        List<String> outcomeClasses = new ArrayList<>();
        schemaJson.at("/properties/outcomeClass/enum").forEach(n -> outcomeClasses.add(n.isNull() ? null : n.asText()));
        List<String> expected = new ArrayList<>();
        for (AuditEvent.OutcomeClass c : AuditEvent.OutcomeClass.values()) {
            expected.add(c.wireName());
        }
        expected.add(null);
        assertThat(outcomeClasses).containsExactlyElementsOf(expected);
    }

    @Test
    void rawArgumentsAreNotAnAuditEvent() {
        ObjectNode event = producedEvents().get(0);
        event.putObject("arguments").put("account", "alice").put("amount", 10);
        assertThat(validate(event)).extracting(ValidationMessage::getType).contains("additionalProperties");
    }

    @Test
    void everyFieldIsRequired() {
        for (String field : AuditEventCodec.FIELDS) {
            ObjectNode event = producedEvents().get(1);
            event.remove(field);
            assertThat(validate(event)).as(field).extracting(ValidationMessage::getType).contains("required");
        }
    }

    @Test
    void valuesOutsideTheModelDoNotValidate() {
        assertInvalid(producedEvents().get(0).put("hash", "F".repeat(64)));
        assertInvalid(producedEvents().get(0).put("previousHash", "0".repeat(63)));
        assertInvalid(producedEvents().get(0).put("argumentFingerprint", "not-a-fingerprint"));
        assertInvalid(producedEvents().get(0).put("kind", "AUDIT"));
        assertInvalid(producedEvents().get(0).put("decision", "DENIED"));          // an INTENT is always allowed
        assertInvalid(producedEvents().get(0).put("outcomeClass", "ok"));          // only OUTCOMEs have one
        assertInvalid(producedEvents().get(1).putNull("outcomeClass"));            // OUTCOMEs must
        assertInvalid(producedEvents().get(1).put("outcomeClass", "fine"));
        assertInvalid(producedEvents().get(1).put("upstreamLatencyMillis", -1));
        assertInvalid(producedEvents().get(0).put("sessionSeq", 0));
        assertInvalid(producedEvents().get(1).put("previousHash", AuditChain.GENESIS)); // seq 2 cannot follow GENESIS
        assertInvalid(producedEvents().get(0).put("previousHash", "a".repeat(64)));     // seq 1 must
        assertInvalid(producedEvents().get(0).put("time", "2025-06-18T09:30:00Z"));
        assertInvalid(producedEvents().get(0).put("time", "2025-13-18T09:30:00.000Z"));
        assertInvalid(producedEvents().get(0).put("agentId", 42));
    }

    private static void assertInvalid(ObjectNode event) {
        assertThat(validate(event)).as(event.toString()).isNotEmpty();
    }
}
