package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyRecord.Status;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.core.idempotency.IdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyStore.KeyAlreadyClaimedException;
import dev.mcpbroker.core.idempotency.IdempotencyStore.RecordChangedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdempotencyStore} does: a key is claimed once (a second claim is refused with the record found)
 * until its record is past retention; only the caller's own in-progress claim is completed, declared unknown or
 * released, anything else is refused with the record as stored; reads return what was written. Times are whole
 * seconds (the precision stores keep retention in) and far in the future; keys are random per test.
 */
public abstract class IdempotencyStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    protected static final Duration LEASE = Duration.ofSeconds(30);
    protected static final Duration RETENTION = Duration.ofHours(24);
    private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"sent 10 EUR\"}],\"isError\":false}";

    private IdempotencyStore store;
    private final IdempotencyScope scope = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer",
            "key-" + UUID.randomUUID());

    protected abstract IdempotencyStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    private IdempotencyRecord claim() {
        return store.claim(scope, "fp-1", T0, LEASE, RETENTION);
    }

    @Test
    void aClaimIsAnInProgressRecordLeasedAndKeptForTheRequestedDurations() {
        IdempotencyRecord claim = claim();

        assertThat(claim).isEqualTo(new IdempotencyRecord(scope.recordId(), scope, "fp-1", Status.IN_PROGRESS, T0,
                T0.plus(LEASE), null, T0.plus(RETENTION), 1));
        assertThat(store.find(scope)).contains(claim);
    }

    @Test
    void findOfAKeyNeverClaimedIsEmpty() {
        assertThat(store.find(scope)).isEmpty();
    }

    @Test
    void aSecondClaimIsRefusedWithTheExistingRecordAndChangesNothing() {
        IdempotencyRecord first = claim();

        assertThatThrownBy(() -> store.claim(scope, "fp-other", T0.plusSeconds(1), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing()).isEqualTo(first));
        assertThat(store.find(scope)).contains(first);
    }

    @Test
    void aClaimOfACompletedKeyIsRefusedWithTheRecordAndItsResult() {
        IdempotencyRecord done = store.complete(claim(), RESULT, T0.plusSeconds(1));

        assertThatThrownBy(() -> store.claim(scope, "fp-1", T0.plusSeconds(2), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> {
                    assertThat(e.existing()).isEqualTo(done);
                    assertThat(e.existing().storedResult()).contains(RESULT);
                });
    }

    @Test
    void aClaimOfAKeyWhoseOutcomeIsUnknownIsRefusedWithTheUnknownRecord() {
        IdempotencyRecord unknown = store.markUnknown(claim(), T0.plusSeconds(31));

        assertThatThrownBy(() -> store.claim(scope, "fp-1", T0.plusSeconds(32), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing()).isEqualTo(unknown));
    }

    @Test
    void aClaimJustBeforeTheRecordsRetentionEndsIsRefused() {
        IdempotencyRecord unknown = store.markUnknown(claim(), T0.plusSeconds(31));

        assertThatThrownBy(() -> store.claim(scope, "fp-new", T0.plus(RETENTION).minusMillis(1), LEASE, RETENTION))
                .isInstanceOfSatisfying(KeyAlreadyClaimedException.class, e -> assertThat(e.existing()).isEqualTo(unknown));
    }

    @Test
    void aClaimOfARecordPastItsRetentionReplacesIt() {
        IdempotencyRecord old = claim();
        store.markUnknown(old, T0.plusSeconds(31));
        Instant later = T0.plus(RETENTION);

        IdempotencyRecord fresh = store.claim(scope, "fp-new", later, LEASE, RETENTION);

        assertThat(fresh).isEqualTo(new IdempotencyRecord(scope.recordId(), scope, "fp-new", Status.IN_PROGRESS, later,
                later.plus(LEASE), null, later.plus(RETENTION), 1));
        assertThat(store.find(scope)).contains(fresh);
    }

    @Test
    void anInProgressClaimPastItsRetentionIsReplacedAndItsFormerHolderLosesIt() {
        IdempotencyRecord old = claim();
        IdempotencyRecord fresh = store.claim(scope, "fp-new", T0.plus(RETENTION).plusSeconds(1), LEASE, RETENTION);

        assertThatThrownBy(() -> store.complete(old, RESULT, T0.plus(RETENTION).plusSeconds(2)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(fresh));
        assertThat(store.find(scope)).contains(fresh);
    }

    @Test
    void completeOfTheOwnClaimStoresTheResultAtTheNextVersion() {
        IdempotencyRecord claim = claim();

        IdempotencyRecord done = store.complete(claim, RESULT, T0.plusSeconds(1));

        assertThat(done).isEqualTo(new IdempotencyRecord(claim.recordId(), scope, "fp-1", Status.COMPLETED, T0,
                T0.plus(LEASE), RESULT, T0.plus(RETENTION), 2));
        assertThat(store.find(scope)).contains(done);
    }

    @Test
    void completeAgainIsRefusedWithTheCompletedRecord() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord done = store.complete(claim, RESULT, T0.plusSeconds(1));

        assertThatThrownBy(() -> store.complete(claim, "{\"other\":true}", T0.plusSeconds(2)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThatThrownBy(() -> store.complete(done, "{\"other\":true}", T0.plusSeconds(2)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThat(store.find(scope)).contains(done);
    }

    @Test
    void completeAfterTheOutcomeWasDeclaredUnknownIsRefusedAndTheOutcomeStaysUnknown() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord unknown = store.markUnknown(claim, T0.plusSeconds(31));

        assertThatThrownBy(() -> store.complete(claim, RESULT, T0.plusSeconds(32)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void completeOfAReleasedClaimIsRefusedWithoutACurrentRecordAndCreatesNothing() {
        IdempotencyRecord claim = claim();
        store.release(claim);

        assertThatThrownBy(() -> store.complete(claim, RESULT, T0.plusSeconds(1)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(store.find(scope)).isEmpty();
    }

    @Test
    void markUnknownOfTheOwnClaimDeclaresTheOutcomeUnknownAtTheNextVersion() {
        IdempotencyRecord claim = claim();

        IdempotencyRecord unknown = store.markUnknown(claim, T0.plusSeconds(5));

        assertThat(unknown).isEqualTo(new IdempotencyRecord(claim.recordId(), scope, "fp-1", Status.UNKNOWN, T0,
                T0.plus(LEASE), null, T0.plus(RETENTION), 2));
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void markUnknownOfAnAbandonedClaimReadByAnotherBrokerDeclaresItUnknown() {
        claim();
        IdempotencyRecord abandoned = store.find(scope).orElseThrow();
        assertThat(abandoned.isAbandonedAt(T0.plus(LEASE))).isTrue();

        IdempotencyRecord unknown = store.markUnknown(abandoned, T0.plus(LEASE));

        assertThat(unknown.status()).isEqualTo(Status.UNKNOWN);
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void markUnknownOfACompletedRecordIsRefusedWithIt() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord done = store.complete(claim, RESULT, T0.plusSeconds(1));

        assertThatThrownBy(() -> store.markUnknown(claim, T0.plusSeconds(40)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThatThrownBy(() -> store.markUnknown(done, T0.plusSeconds(40)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThat(store.find(scope)).contains(done);
    }

    @Test
    void anUnknownOutcomeIsFinal() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord unknown = store.markUnknown(claim, T0.plusSeconds(31));

        assertThatThrownBy(() -> store.markUnknown(unknown, T0.plusSeconds(32)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThatThrownBy(() -> store.markUnknown(claim, T0.plusSeconds(32)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThatThrownBy(() -> store.complete(unknown, RESULT, T0.plusSeconds(32)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void releaseOfTheOwnClaimGivesTheKeyBackForANewClaim() {
        store.release(claim());

        assertThat(store.find(scope)).isEmpty();
        IdempotencyRecord again = store.claim(scope, "fp-1", T0.plusSeconds(1), LEASE, RETENTION);
        assertThat(store.find(scope)).contains(again);
    }

    @Test
    void releaseOfACompletedRecordIsRefusedAndKeepsIt() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord done = store.complete(claim, RESULT, T0.plusSeconds(1));

        assertThatThrownBy(() -> store.release(claim))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThatThrownBy(() -> store.release(done))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(done));
        assertThat(store.find(scope)).contains(done);
    }

    @Test
    void releaseOfARecordWhoseOutcomeIsUnknownIsRefusedAndKeepsIt() {
        IdempotencyRecord claim = claim();
        IdempotencyRecord unknown = store.markUnknown(claim, T0.plusSeconds(31));

        assertThatThrownBy(() -> store.release(claim))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(unknown));
        assertThat(store.find(scope)).contains(unknown);
    }

    @Test
    void releaseOfAVanishedRecordIsRefusedWithoutACurrentRecord() {
        IdempotencyRecord claim = claim();
        store.release(claim);

        assertThatThrownBy(() -> store.release(claim))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThatThrownBy(() -> store.markUnknown(claim, T0.plusSeconds(1)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(store.find(scope)).isEmpty();
    }

    @Test
    void aFormerClaimCannotTouchTheKeysNextClaimAtTheSameVersion() {
        IdempotencyRecord first = claim();
        store.release(first);
        IdempotencyRecord second = store.claim(scope, "fp-1", T0.plusSeconds(1), LEASE, RETENTION);
        assertThat(second.version()).isEqualTo(first.version());

        assertThatThrownBy(() -> store.release(first))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(second));
        assertThatThrownBy(() -> store.complete(first, RESULT, T0.plusSeconds(2)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(second));
        assertThatThrownBy(() -> store.markUnknown(first, T0.plusSeconds(2)))
                .isInstanceOfSatisfying(RecordChangedException.class, e -> assertThat(e.current()).contains(second));
        assertThat(store.find(scope)).contains(second);
    }

    @Test
    void aKeyInAnotherScopeIsAnotherRecord() {
        IdempotencyRecord mine = claim();
        List<IdempotencyScope> others = List.of(
                new IdempotencyScope("tenant-2", scope.agentId(), scope.serverId(), scope.tool(), scope.key()),
                new IdempotencyScope(scope.tenantId(), "agent-b", scope.serverId(), scope.tool(), scope.key()),
                new IdempotencyScope(scope.tenantId(), scope.agentId(), "docs", scope.tool(), scope.key()),
                new IdempotencyScope(scope.tenantId(), scope.agentId(), scope.serverId(), "refund", scope.key()));

        for (IdempotencyScope other : others) {
            assertThat(store.claim(other, "fp-1", T0, LEASE, RETENTION).scope()).isEqualTo(other);
            assertThat(store.find(other)).hasValueSatisfying(found -> assertThat(found.scope()).isEqualTo(other));
        }
        assertThat(store.find(scope)).contains(mine);
    }

    @Test
    void concurrentClaimsOfOneKeyLetExactlyOneWinAndTellTheOthersItsRecord() throws Exception {
        List<Object> outcomes = Race.of(16, racer -> {
            try {
                return store.claim(scope, "fp-" + racer % 3, T0, LEASE, RETENTION);
            } catch (KeyAlreadyClaimedException e) {
                return e;
            }
        });

        List<IdempotencyRecord> winners = outcomes.stream()
                .filter(IdempotencyRecord.class::isInstance).map(IdempotencyRecord.class::cast).toList();
        assertThat(winners).hasSize(1);
        assertThat(outcomes).filteredOn(KeyAlreadyClaimedException.class::isInstance).hasSize(15)
                .allSatisfy(lost -> assertThat(((KeyAlreadyClaimedException) lost).existing()).isEqualTo(winners.get(0)));
        assertThat(store.find(scope)).contains(winners.get(0));
    }
}
