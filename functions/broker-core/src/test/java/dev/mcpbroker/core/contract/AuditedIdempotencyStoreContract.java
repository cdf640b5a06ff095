package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.idempotency.AuditedIdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyRecord.Status;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.IdempotencyStore.KeyAlreadyClaimedException;
import dev.mcpbroker.core.idempotency.IdempotencyStore.RecordChangedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditedIdempotencyStore} does beyond an idempotency store: a claim and its intent are recorded
 * together or not at all (a refused claim leaves no intent), a completion and its outcome likewise (a completion of a
 * record that is no longer the caller's claim leaves no outcome), and the events join their session's chain in order.
 */
public abstract class AuditedIdempotencyStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"sent 10 EUR\"}],\"isError\":false}";

    private AuditedIdempotencyStore store;
    private AuditOutbox outbox;
    private final String session = "session-" + UUID.randomUUID();
    private final IdempotencyScope scope = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer",
            "key-" + UUID.randomUUID());

    /** A store and the outbox it records into, both empty of this test's keys and sessions. */
    public record Stores(AuditedIdempotencyStore store, AuditOutbox outbox) {
    }

    protected abstract Stores newStores();

    @BeforeEach
    void openStores() {
        Stores stores = newStores();
        store = stores.store();
        outbox = stores.outbox();
    }

    @Test
    void aClaimIsRecordedWithItsIntent() {
        IdempotencyRecord claim = store.claim(scope, "fp-1", T0, LEASE, RETENTION, event(AuditEvent.Kind.INTENT));

        assertThat(store.find(scope)).contains(claim);
        assertThat(chain()).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT);
        assertThat(chain().get(0).sessionSeq()).isEqualTo(1);
    }

    @Test
    void aRefusedClaimRecordsNoIntentAndReturnsTheRecordThatHoldsTheKey() {
        IdempotencyRecord first = store.claim(scope, "fp-1", T0, LEASE, RETENTION, event(AuditEvent.Kind.INTENT));

        assertThatThrownBy(() -> store.claim(scope, "fp-1", T0.plusSeconds(1), LEASE, RETENTION, event(AuditEvent.Kind.INTENT)))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing()).isEqualTo(first));
        assertThat(chain()).hasSize(1);
    }

    @Test
    void aCompletionIsRecordedWithItsOutcomeAfterTheIntent() {
        IdempotencyRecord claim = store.claim(scope, "fp-1", T0, LEASE, RETENTION, event(AuditEvent.Kind.INTENT));

        IdempotencyRecord completed = store.complete(claim, RESULT, T0.plusSeconds(1), event(AuditEvent.Kind.OUTCOME));

        assertThat(completed.status()).isEqualTo(Status.COMPLETED);
        assertThat(store.find(scope).orElseThrow().result()).isEqualTo(RESULT);
        assertThat(chain()).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT, AuditEvent.Kind.OUTCOME);
        assertThat(chain()).extracting(AuditEvent::sessionSeq).containsExactly(1L, 2L);
    }

    @Test
    void aCompletionOfAClaimNoLongerTheCallersRecordsNoOutcome() {
        IdempotencyRecord claim = store.claim(scope, "fp-1", T0, LEASE, RETENTION, event(AuditEvent.Kind.INTENT));
        store.markUnknown(claim, T0.plusSeconds(1));

        assertThatThrownBy(() -> store.complete(claim, RESULT, T0.plusSeconds(2), event(AuditEvent.Kind.OUTCOME)))
                .isInstanceOf(RecordChangedException.class);
        assertThat(chain()).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT);
        assertThat(store.find(scope).orElseThrow().status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void eventsOfTheSessionAppendedElsewhereKeepOneChainWithTheClaimsEvents() {
        outbox.append(event(AuditEvent.Kind.DECISION));
        IdempotencyRecord claim = store.claim(scope, "fp-1", T0, LEASE, RETENTION, event(AuditEvent.Kind.INTENT));
        outbox.append(event(AuditEvent.Kind.DECISION));
        store.complete(claim, RESULT, T0.plusSeconds(1), event(AuditEvent.Kind.OUTCOME));

        assertThat(chain()).extracting(AuditEvent::sessionSeq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(chain()).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.DECISION, AuditEvent.Kind.INTENT,
                AuditEvent.Kind.DECISION, AuditEvent.Kind.OUTCOME);
        for (int i = 1; i < chain().size(); i++) {
            assertThat(chain().get(i).previousHash()).isEqualTo(chain().get(i - 1).hash());
        }
    }

    private List<AuditEvent> chain() {
        return outbox.undelivered(session, 100);
    }

    private AuditEvent event(AuditEvent.Kind kind) {
        AuditEvent.Builder builder = AuditEvent.builder(kind).eventId(UUID.randomUUID().toString()).time(T0)
                .agentId("agent-a").tenantId("tenant-1").sessionId(session).serverId("payments").method("tools/call")
                .tool("transfer").idempotencyKey(scope.key()).correlationId("req-1");
        return switch (kind) {
            case OUTCOME -> builder.outcomeClass(AuditEvent.OutcomeClass.OK).upstreamLatencyMillis(3L).build();
            case DECISION -> builder.decision(AuditEvent.Decision.ALLOWED).reason("granted").build();
            default -> builder.build();
        };
    }
}
