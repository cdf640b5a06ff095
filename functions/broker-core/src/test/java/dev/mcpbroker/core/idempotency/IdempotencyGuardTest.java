package dev.mcpbroker.core.idempotency;

import dev.mcpbroker.core.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.idempotency.IdempotencyGuard.Completion;
import dev.mcpbroker.core.memory.InMemoryIdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyRecord.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every transition of the guard, with two broker instances sharing one store where it matters. */
class IdempotencyGuardTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final IdempotencyScope SCOPE = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer", "k-1");
    private static final String FP = "fp-1";
    private static final String RESULT = "{\"content\":[{\"type\":\"text\",\"text\":\"sent 10 EUR\"}]}";

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
    private final IdempotencyGuard instanceA = new IdempotencyGuard(store, clock, LEASE, RETENTION);
    private final IdempotencyGuard instanceB = new IdempotencyGuard(store, clock, LEASE, RETENTION);

    private IdempotencyRecord claimed(IdempotencyGuard guard) {
        Decision decision = guard.begin(SCOPE, FP);
        assertThat(decision).isInstanceOf(Decision.Execute.class);
        return ((Decision.Execute) decision).claim();
    }

    private Status stored() {
        return store.find(SCOPE).orElseThrow().status();
    }

    @Test
    void aNewKeyIsClaimedForExecution() {
        IdempotencyRecord claim = claimed(instanceA);
        assertThat(claim.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(claim.fingerprint()).isEqualTo(FP);
        assertThat(claim.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(claim.expiresAt()).isEqualTo(clock.instant().plus(RETENTION));
        assertThat(store.find(SCOPE)).contains(claim);
    }

    @Test
    void aCompletedCallIsReplayedToEveryRetryWithTheSameArguments() {
        IdempotencyRecord claim = claimed(instanceA);
        assertThat(instanceA.completed(claim, RESULT)).isEqualTo(Completion.STORED);
        clock.advance(Duration.ofHours(1));
        assertThat(instanceB.begin(SCOPE, FP)).isEqualTo(new Decision.Replay(RESULT));
        assertThat(instanceA.begin(SCOPE, FP)).isEqualTo(new Decision.Replay(RESULT));
    }

    @Test
    void otherArgumentsUnderTheSameKeyConflictInEveryState() {
        IdempotencyRecord claim = claimed(instanceA);
        assertThat(instanceB.begin(SCOPE, "fp-other")).isInstanceOf(Decision.Conflict.class);
        instanceA.completed(claim, RESULT);
        assertThat(instanceB.begin(SCOPE, "fp-other"))
                .isInstanceOfSatisfying(Decision.Conflict.class, c -> assertThat(c.existing().status()).isEqualTo(Status.COMPLETED));

        IdempotencyScope other = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer", "k-2");
        IdempotencyRecord second = ((Decision.Execute) instanceA.begin(other, FP)).claim();
        instanceA.ambiguous(second);
        assertThat(instanceB.begin(other, "fp-other")).isInstanceOf(Decision.Conflict.class);
    }

    @Test
    void aLiveClaimIsInFlightUntilItsLeaseEnds() {
        claimed(instanceA);
        clock.advance(Duration.ofSeconds(10));
        assertThat(instanceB.begin(SCOPE, FP)).isEqualTo(new Decision.InFlight(Duration.ofSeconds(20)));
        assertThat(stored()).isEqualTo(Status.IN_PROGRESS);
    }

    @Test
    void anAmbiguousFailureIsUnknownForeverAfterAndNeverExecutedAgain() {
        IdempotencyRecord claim = claimed(instanceA);
        assertThat(instanceA.ambiguous(claim)).isTrue();
        assertThat(stored()).isEqualTo(Status.UNKNOWN);
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOfSatisfying(Decision.Unknown.class,
                u -> assertThat(u.record().status()).isEqualTo(Status.UNKNOWN));
        clock.advance(RETENTION.minusSeconds(1));
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOf(Decision.Unknown.class);
    }

    @Test
    void aCallThatNeverReachedTheUpstreamGivesTheKeyBack() {
        IdempotencyRecord claim = claimed(instanceA);
        assertThat(instanceA.notExecuted(claim)).isTrue();
        assertThat(store.find(SCOPE)).isEmpty();
        IdempotencyRecord retry = claimed(instanceB);
        assertThat(retry.version()).isEqualTo(1);
    }

    @Test
    void anAbandonedClaimIsRecordedUnknownByTheNextAttempt() {
        claimed(instanceA);
        clock.advance(LEASE);
        Decision decision = instanceB.begin(SCOPE, FP);
        assertThat(decision).isInstanceOfSatisfying(Decision.Unknown.class, u -> {
            assertThat(u.record().status()).isEqualTo(Status.UNKNOWN);
            assertThat(u.record().version()).isEqualTo(2);
        });
        assertThat(stored()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void aLateHolderCannotOverwriteTheUnknownOutcomeAnotherInstanceRecorded() {
        IdempotencyRecord claim = claimed(instanceA);
        clock.advance(LEASE.plusSeconds(1));
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOf(Decision.Unknown.class);

        // instance A's upstream call finally answers
        assertThat(instanceA.completed(claim, RESULT)).isEqualTo(Completion.SUPERSEDED);
        IdempotencyRecord kept = store.find(SCOPE).orElseThrow();
        assertThat(kept.status()).isEqualTo(Status.UNKNOWN);
        assertThat(kept.storedResult()).isEmpty();
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOf(Decision.Unknown.class);
        // nor declare it unknown twice, nor release it
        assertThat(instanceA.ambiguous(claim)).isFalse();
        assertThat(instanceA.notExecuted(claim)).isFalse();
        assertThat(stored()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void aHolderThatCompletesJustAfterItsLeaseWinsIfNobodyDeclaredItUnknown() {
        IdempotencyRecord claim = claimed(instanceA);
        clock.advance(LEASE.plusSeconds(5));
        assertThat(instanceA.completed(claim, RESULT)).isEqualTo(Completion.STORED);
        assertThat(instanceB.begin(SCOPE, FP)).isEqualTo(new Decision.Replay(RESULT));
    }

    @Test
    void whenTheHolderCompletesWhileAnotherInstanceDeclaresItUnknownTheResultWinsAndIsReplayed() {
        IdempotencyRecord claim = claimed(instanceA);
        clock.advance(LEASE);
        // B's claim fails and returns the abandoned record; A completes before B's markUnknown lands.
        store.beforeNextWrite(() -> store.beforeNextWrite(() -> assertThat(instanceA.completed(claim, RESULT))
                .isEqualTo(Completion.STORED)));
        assertThat(instanceB.begin(SCOPE, FP)).isEqualTo(new Decision.Replay(RESULT));
        assertThat(stored()).isEqualTo(Status.COMPLETED);
    }

    @Test
    void whenTwoInstancesFindTheSameAbandonedClaimBothAnswerUnknown() {
        claimed(instanceA);
        clock.advance(LEASE);
        IdempotencyGuard instanceC = new IdempotencyGuard(store, clock, LEASE, RETENTION);
        store.beforeNextWrite(() -> store.beforeNextWrite(() -> assertThat(instanceC.begin(SCOPE, FP))
                .isInstanceOf(Decision.Unknown.class)));
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOfSatisfying(Decision.Unknown.class,
                u -> assertThat(u.record().version()).isEqualTo(2));
    }

    @Test
    void whenTheAbandonedClaimIsReleasedMeanwhileTheKeyIsClaimedAfresh() {
        IdempotencyRecord claim = claimed(instanceA);
        clock.advance(LEASE);
        store.beforeNextWrite(() -> store.beforeNextWrite(() -> assertThat(instanceA.notExecuted(claim)).isTrue()));
        Decision decision = instanceB.begin(SCOPE, FP);
        assertThat(decision).isInstanceOfSatisfying(Decision.Execute.class,
                e -> assertThat(e.claim().claimedAt()).isEqualTo(clock.instant()));
    }

    @Test
    void endlessContentionEndsInRetryShortlyNotAnError() {
        IdempotencyRecord stuck = new IdempotencyRecord(SCOPE.recordId(), SCOPE, FP, Status.IN_PROGRESS,
                clock.instant().minusSeconds(60), clock.instant().minusSeconds(30), null, clock.instant().plusSeconds(3600), 1);
        IdempotencyStore churning = new IdempotencyStore() {
            @Override
            public IdempotencyRecord claim(IdempotencyScope s, String f, Instant n, Duration l, Duration r) {
                throw new KeyAlreadyClaimedException(stuck);
            }

            @Override
            public IdempotencyRecord markUnknown(IdempotencyRecord record, Instant now) {
                throw new RecordChangedException(null);
            }

            @Override
            public IdempotencyRecord complete(IdempotencyRecord c, String r, Instant n) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void release(IdempotencyRecord c) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<IdempotencyRecord> find(IdempotencyScope s) {
                throw new UnsupportedOperationException();
            }
        };
        assertThat(new IdempotencyGuard(churning, clock, LEASE, RETENTION).begin(SCOPE, FP))
                .isEqualTo(new Decision.InFlight(IdempotencyGuard.CONTENDED_RETRY_AFTER));
    }

    @Test
    void aRecordPastItsRetentionNoLongerHoldsTheKey() {
        IdempotencyRecord claim = claimed(instanceA);
        instanceA.ambiguous(claim);
        clock.advance(RETENTION);
        assertThat(instanceA.outcome(SCOPE)).isEqualTo(new OutcomeView.None());
        assertThat(instanceB.begin(SCOPE, "fp-new")).isInstanceOf(Decision.Execute.class);
    }

    @Test
    void aStoreFailureBeforeTheCallSurfacesButAfterItNeverDoes() {
        store.down(true);
        assertThatThrownBy(() -> instanceA.begin(SCOPE, FP)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> instanceA.outcome(SCOPE)).isInstanceOf(StoreUnavailableException.class);

        store.down(false);
        IdempotencyRecord claim = claimed(instanceA);
        store.down(true);
        assertThat(instanceA.completed(claim, RESULT)).isEqualTo(Completion.NOT_RECORDED);
        assertThat(instanceA.ambiguous(claim)).isFalse();
        assertThat(instanceA.notExecuted(claim)).isFalse();

        // the claim the store kept turns unknown once its lease runs out: never executed twice
        store.down(false);
        clock.advance(LEASE);
        assertThat(instanceB.begin(SCOPE, FP)).isInstanceOf(Decision.Unknown.class);
    }

    @Test
    void aCompletedRecordWithoutResultIsAStoreFault() {
        store.put(new IdempotencyRecord(SCOPE.recordId(), SCOPE, FP, Status.COMPLETED, clock.instant(),
                clock.instant().plus(LEASE), null, clock.instant().plus(RETENTION), 2));
        assertThatThrownBy(() -> instanceA.begin(SCOPE, FP)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> instanceA.outcome(SCOPE)).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void outcomeReportsEachStateWithoutChangingIt() {
        assertThat(instanceA.outcome(SCOPE)).isEqualTo(new OutcomeView.None());

        IdempotencyRecord claim = claimed(instanceA);
        clock.advance(Duration.ofSeconds(5));
        assertThat(instanceB.outcome(SCOPE)).isEqualTo(new OutcomeView.InProgress(claim, Duration.ofSeconds(25)));

        clock.advance(LEASE);
        assertThat(instanceB.outcome(SCOPE)).isEqualTo(new OutcomeView.Unknown(claim, true));
        assertThat(stored()).as("a query records nothing").isEqualTo(Status.IN_PROGRESS);

        assertThat(instanceA.completed(claim, RESULT)).isEqualTo(Completion.STORED);
        assertThat(instanceB.outcome(SCOPE)).isInstanceOfSatisfying(OutcomeView.Completed.class,
                c -> assertThat(c.result()).isEqualTo(RESULT));

        IdempotencyScope other = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer", "k-2");
        IdempotencyRecord second = ((Decision.Execute) instanceA.begin(other, FP)).claim();
        instanceA.ambiguous(second);
        assertThat(instanceB.outcome(other)).isInstanceOfSatisfying(OutcomeView.Unknown.class,
                u -> assertThat(u.abandoned()).isFalse());
    }

    @Test
    void scopesAreIndependent() {
        claimed(instanceA);
        for (IdempotencyScope other : new IdempotencyScope[] {
                new IdempotencyScope("tenant-2", "agent-a", "payments", "transfer", "k-1"),
                new IdempotencyScope("tenant-1", "agent-b", "payments", "transfer", "k-1"),
                new IdempotencyScope("tenant-1", "agent-a", "ledger", "transfer", "k-1"),
                new IdempotencyScope("tenant-1", "agent-a", "payments", "refund", "k-1")}) {
            assertThat(instanceB.begin(other, FP)).isInstanceOf(Decision.Execute.class);
        }
    }

    @Test
    void resultsNeverAppearInToString() {
        IdempotencyRecord claim = claimed(instanceA);
        instanceA.completed(claim, RESULT);
        Decision replay = instanceB.begin(SCOPE, FP);
        OutcomeView view = instanceB.outcome(SCOPE);
        assertThat(replay.toString()).doesNotContain("sent 10 EUR");
        assertThat(view.toString()).doesNotContain("sent 10 EUR");
        assertThat(new Decision.Conflict(store.find(SCOPE).orElseThrow()).toString()).doesNotContain("sent 10 EUR");
    }

    @Test
    void leaseAndRetentionAreChecked() {
        assertThatThrownBy(() -> new IdempotencyGuard(store, clock, Duration.ZERO, RETENTION))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdempotencyGuard(store, clock, LEASE, LEASE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
