package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.FailureClass;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditEventTest {

    private static final Instant T = Instant.parse("2025-06-18T09:30:00Z");

    @Test
    void absentValuesAreNullAndTheEssentialsAreRequired() {
        AuditEvent minimal = AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e").time(T).build();
        assertThat(minimal.agentId()).isNull();
        assertThat(minimal.sessionId()).isNull();
        assertThat(minimal.chained()).isFalse();
        assertThat(minimal.toString()).contains("eventId=e");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.DECISION).time(T).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e").build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.DECISION).eventId("e").time(T).decision(null).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void kindsConstrainTheirFields() {
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.INTENT).eventId("e").time(T)
                .decision(AuditEvent.Decision.DENIED).build()).hasMessageContaining("allowed calls only");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.OUTCOME).eventId("e").time(T).build())
                .hasMessageContaining("outcomeClass");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.INTENT).eventId("e").time(T).upstreamLatencyMillis(3L).build())
                .hasMessageContaining("only an OUTCOME");
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.Kind.INTENT).eventId("e").time(T).argumentFingerprint("xyz").build())
                .hasMessageContaining("argumentFingerprint");
    }

    @Test
    void chainFieldsComeTogether() {
        assertThatThrownBy(() -> new AuditEvent("e", AuditEvent.Kind.DECISION, T, null, null, null, "s", null, null, null, null,
                AuditEvent.Decision.ALLOWED, null, null, null, null, null, null, 1, AuditChain.GENESIS, null))
                .hasMessageContaining("either unchained");
    }

    @Test
    void outcomeClassesShareTheFailureClassVocabulary() {
        for (FailureClass f : FailureClass.values()) {
            assertThat(AuditEvent.OutcomeClass.of(f).wireName()).isEqualTo(f.wireName());
            assertThat(AuditEvent.OutcomeClass.fromWireName(f.wireName())).isEqualTo(AuditEvent.OutcomeClass.of(f));
        }
    }
}
