package dev.mcpbroker.sessiontable.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
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

/** Leases against the local DynamoDB: a cap holds exactly under concurrency, and expired leases never block it. */
class DynamoDbLeaseStoreTest {

    private static final String TABLE = "lease-store-test";
    private static DynamoDbLeaseStore store;

    @BeforeAll
    static void table() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        store = new DynamoDbLeaseStore(aws.dynamoDb(), TABLE);
    }

    private static LeasePool pool(int size) {
        return new LeasePool("test#" + UUID.randomUUID(), size);
    }

    @Test
    void sixtyConcurrentTakersOfTenSlotsLeaveExactlyTenHolders() throws Exception {
        LeasePool pool = pool(10);
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

    @Test
    void fullPoolRefusesUntilALeaseIsReleased() {
        LeasePool pool = pool(2);
        Instant now = Instant.now();
        Lease first = store.tryAcquire(pool, "a", now, now.plusSeconds(60)).orElseThrow();
        store.tryAcquire(pool, "b", now, now.plusSeconds(60)).orElseThrow();
        assertThat(store.tryAcquire(pool, "c", now, now.plusSeconds(60))).isEmpty();

        store.release(first);
        assertThat(store.tryAcquire(pool, "c", now, now.plusSeconds(60))).hasValueSatisfying(
                lease -> assertThat(lease.slot()).isEqualTo(first.slot()));
    }

    @Test
    void expiredLeaseCountsAsFreeAndCanNoLongerBeRenewedOrReleasedByItsFormerHolder() {
        LeasePool pool = pool(1);
        Instant now = Instant.now();
        Lease dead = store.tryAcquire(pool, "died-mid-initialize", now, now.plusSeconds(5)).orElseThrow();

        Instant later = now.plusSeconds(6);
        Lease taken = store.tryAcquire(pool, "next", later, later.plusSeconds(60)).orElseThrow();
        assertThat(taken.slot()).isEqualTo(dead.slot());
        assertThat(store.renew(dead, later.plusSeconds(60))).isFalse();
        store.release(dead); // a no-op: the slot is no longer its
        assertThat(store.list(pool)).extracting(Lease::holder).containsExactly("next");
    }

    @Test
    void reaperDeletesOnlyExpiredLeases() {
        LeasePool pool = pool(3);
        Instant now = Instant.now();
        store.tryAcquire(pool, "expired", now, now.plusSeconds(1)).orElseThrow();
        store.tryAcquire(pool, "live", now, now.plusSeconds(600)).orElseThrow();

        assertThat(store.reapExpired(pool, now.plusSeconds(2))).isEqualTo(1);
        assertThat(store.list(pool)).extracting(Lease::holder).containsExactly("live");
    }

    @Test
    void renewMovesTheExpiryOfAHeldLease() {
        LeasePool pool = pool(1);
        Instant now = Instant.now();
        Lease lease = store.tryAcquire(pool, "holder", now, now.plusSeconds(5)).orElseThrow();
        assertThat(store.renew(lease, now.plusSeconds(600))).isTrue();
        assertThat(store.tryAcquire(pool, "other", now.plusSeconds(10), now.plusSeconds(70))).isEmpty();
    }
}
