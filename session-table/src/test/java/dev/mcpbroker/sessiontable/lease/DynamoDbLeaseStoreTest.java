package dev.mcpbroker.sessiontable.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.capacity.LeaseStore;
import dev.mcpbroker.core.contract.LeaseStoreContract;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases against the local DynamoDB: the port's contract, and the cap holding exactly under heavier contention than
 * the contract's (this adapter spreads takers over the free slots and retries each lost one).
 */
class DynamoDbLeaseStoreTest extends LeaseStoreContract {

    private static final String TABLE = "lease-store-test";
    private static AwsEnvironment aws;

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
    }

    @Override
    protected LeaseStore newStore() {
        return new DynamoDbLeaseStore(aws.dynamoDb(), TABLE);
    }

    @Test
    void sixtyConcurrentTakersOfTenSlotsLeaveExactlyTenHolders() throws Exception {
        DynamoDbLeaseStore store = new DynamoDbLeaseStore(aws.dynamoDb(), TABLE);
        LeasePool pool = new LeasePool("test#" + UUID.randomUUID(), 10);
        Instant now = Instant.now();
        ExecutorService threads = Executors.newFixedThreadPool(60);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Optional<Lease>>> takers = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String holder = "session-" + i;
                takers.add(threads.submit(() -> {
                    start.await();
                    return store.tryAcquire(pool, holder, now, now.plusSeconds(60));
                }));
            }
            start.countDown();
            List<Lease> won = new ArrayList<>();
            for (Future<Optional<Lease>> taker : takers) {
                taker.get().ifPresent(won::add);
            }
            Set<Integer> slots = new HashSet<>();
            won.forEach(lease -> slots.add(lease.slot()));
            assertThat(won).hasSize(10);
            assertThat(slots).hasSize(10);
            assertThat(store.list(pool)).extracting(Lease::holder)
                    .containsExactlyInAnyOrderElementsOf(won.stream().map(Lease::holder).toList());
        } finally {
            threads.shutdownNow();
        }
    }
}
