package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.memory.InMemoryAuditOutbox;
import dev.mcpbroker.core.memory.InMemoryAuditStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditRedriveTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

    private final InMemoryAuditOutbox outbox = new InMemoryAuditOutbox();
    private final InMemoryAuditStream stream = new InMemoryAuditStream();
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditRedrive redrive = new AuditRedrive(outbox, outbox, new AuditForwarder(stream, outbox),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private List<AuditEvent> append(String session, int count, Duration age) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean outcome = i % 2 == 1;
            events.add(outbox.append(AuditEvent.builder(outcome ? AuditEvent.Kind.OUTCOME : AuditEvent.Kind.INTENT)
                    .outcomeClass(outcome ? AuditEvent.OutcomeClass.OK : null).eventId(UUID.randomUUID().toString()).time(NOW.minus(age).plusMillis(i)).agentId("agent-a")
                    .tenantId("t1").sessionId(session).serverId("payments").method("tools/call").tool("transfer")
                    .correlationId("7").build()));
        }
        return events;
    }

    private List<String> published(String partitionKey) {
        return stream.records().stream().filter(r -> r.partitionKey().equals(partitionKey))
                .map(r -> new String(r.data(), StandardCharsets.UTF_8)).toList();
    }

    private List<String> canonical(List<AuditEvent> events) {
        return events.stream().map(e -> new String(codec.encode(e), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void undeliveredEventsOfEveryChainReachTheStreamInChainOrderAndAreMarkedDelivered() {
        List<AuditEvent> a = append("s-a", 250, Duration.ofHours(2));
        List<AuditEvent> b = append("s-b", 3, Duration.ofHours(2));
        outbox.markDelivered(b.get(0));

        AuditRedrive.Result result = redrive.redrive(Duration.ofMinutes(10));

        assertThat(result.redelivered()).isEqualTo(252);
        assertThat(result.chains()).isEqualTo(2);
        assertThat(result.stuck()).isEmpty();
        assertThat(published("s-a")).as("stored canonical JSON, in sequence order").isEqualTo(canonical(a));
        assertThat(published("s-b")).isEqualTo(canonical(b.subList(1, 3)));
        assertThat(outbox.chainsWithUndeliveredEvents()).isEmpty();
    }

    @Test
    void eventsYoungerThanTheMinimumAgeAndEverythingAfterThemAreLeftToTheForwarder() {
        List<AuditEvent> old = append("s-a", 2, Duration.ofHours(1));
        List<AuditEvent> young = append("s-a", 2, Duration.ofMinutes(1));

        AuditRedrive.Result result = redrive.redrive(Duration.ofMinutes(10));

        assertThat(result.redelivered()).isEqualTo(2);
        assertThat(result.waiting()).isEqualTo(1);
        assertThat(published("s-a")).isEqualTo(canonical(old));
        assertThat(outbox.undelivered("s-a", 10)).containsExactlyElementsOf(young);
    }

    @Test
    void aChainStopsAtTheFirstEventTheStreamRefusesAndNothingAfterItIsSent() {
        List<AuditEvent> a = append("s-a", 5, Duration.ofHours(1));
        stream.refuseFrom(3);

        AuditRedrive.Result result = redrive.redrive(Duration.ZERO);

        assertThat(result.redelivered()).isEqualTo(2);
        assertThat(result.stuck()).containsExactly(new AuditRedrive.Stuck("s-a", 3, "the audit stream refused it"));
        assertThat(published("s-a")).isEqualTo(canonical(a.subList(0, 2)));
        assertThat(outbox.undelivered("s-a", 10)).containsExactlyElementsOf(a.subList(2, 5));
    }

    @Test
    void anEventThatCannotBeMarkedDeliveredIsReportedInsteadOfSentForever() {
        append("s-a", 3, Duration.ofHours(1));
        InMemoryAuditOutbox unmarkable = new InMemoryAuditOutbox();
        // The forwarder marks in another outbox: this one never sees its events delivered.
        AuditRedrive stuckRedrive = new AuditRedrive(outbox, outbox, new AuditForwarder(stream, unmarkable),
                Clock.fixed(NOW, ZoneOffset.UTC));

        AuditRedrive.Result result = stuckRedrive.redrive(Duration.ZERO);

        assertThat(result.stuck()).extracting(AuditRedrive.Stuck::seq).containsExactly(1L);
        assertThat(published("s-a")).hasSize(3);
    }
}
