package dev.mcpbroker.demo;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
class LedgerTest {

    @Inject
    Ledger ledger;

    @BeforeEach
    void reset() {
        ledger.reset();
    }

    @Test
    void transferMovesMoneyAndIsCounted() {
        Ledger.TransferOutcome outcome = ledger.transfer("alice", "bob", 2_500, "EUR", "rent", null);

        assertThat(outcome.isError()).isFalse();
        assertThat(outcome.transfer().id()).isEqualTo("tx-1");
        assertThat(outcome.balances()).containsEntry("alice", 97_500L).containsEntry("bob", 52_500L);
        assertThat(ledger.executions()).containsEntry("transfer", 1L).containsEntry("get_balance", 0L);
        assertThat(ledger.balance("carol")).isZero();
        assertThat(ledger.executions()).containsEntry("get_balance", 1L);
    }

    @Test
    void insufficientFundsAndUnknownAccountsAreBusinessErrors() {
        assertThat(ledger.transfer("carol", "alice", 1, "EUR", null, null).error()).startsWith("insufficient funds");
        assertThat(ledger.transfer("mallory", "alice", 1, "EUR", null, null).error()).startsWith("unknown account");
        assertThat(ledger.balances()).isEqualTo(Ledger.SEED);
        assertThat(ledger.executions()).containsEntry("transfer", 2L);
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstOutcomeWithoutExecuting() {
        Ledger.TransferOutcome first = ledger.transfer("alice", "bob", 100, "EUR", null, "k-1");
        Ledger.TransferOutcome again = ledger.transfer("alice", "bob", 100, "EUR", null, "k-1");
        Ledger.TransferOutcome misuse = ledger.transfer("alice", "bob", 999, "EUR", null, "k-1");

        assertThat(again.replayed()).isTrue();
        assertThat(again.transfer().id()).isEqualTo(first.transfer().id());
        assertThat(misuse.error()).contains("different arguments");
        assertThat(ledger.executions()).containsEntry("transfer", 1L);
        assertThat(ledger.balances()).containsEntry("alice", 99_900L);
    }

    @Test
    void aHungTransferIsAppliedBeforeItAnswersAndResetReleasesIt() throws Exception {
        ledger.hangNextTransfer();
        CompletableFuture<Ledger.TransferOutcome> call =
                CompletableFuture.supplyAsync(() -> ledger.transfer("alice", "carol", 700, "EUR", null, null));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ledger.balances().get("carol") != 700L && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling a condition
        }
        assertThat(ledger.balances()).containsEntry("carol", 700L);
        assertThat(call).isNotDone();

        ledger.reset();
        assertThat(call.get(10, TimeUnit.SECONDS).transfer().id()).isEqualTo("tx-1");
    }
}
