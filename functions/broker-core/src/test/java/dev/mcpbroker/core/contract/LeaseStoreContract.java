package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.capacity.LeaseStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LeaseStore} does: a pool never gives out more leases than it has slots, however many takers race;
 * an expired lease is free; only its holder renews or releases a lease; leases are listed in slot order; the reaper
 * removes only expired leases. Times are whole milliseconds and far in the future; pools have random names.
 */
public abstract class LeaseStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private LeaseStore store;

    protected abstract LeaseStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    private static LeasePool pool(int size) {
        return new LeasePool("contract#" + UUID.randomUUID(), size);
    }

    private Lease take(LeasePool pool, String holder, Instant now, Instant until) {
        return store.tryAcquire(pool, holder, now, until).orElseThrow(() -> new AssertionError(holder + " got no slot"));
    }

    @Test
    void acquireFromAnEmptyPoolGivesTheHolderASlotOfThePoolUntilTheRequestedTime() {
        LeasePool pool = pool(3);

        Lease lease = take(pool, "holder", T0, T0.plusSeconds(60));

        assertThat(lease.pool()).isEqualTo(pool.name());
        assertThat(lease.holder()).isEqualTo("holder");
        assertThat(lease.until()).isEqualTo(T0.plusSeconds(60));
        assertThat(lease.slot()).isBetween(0, 2);
        assertThat(store.list(pool)).containsExactly(lease);
    }

    @Test
    void aFullPoolRefusesTheNextTaker() {
        LeasePool pool = pool(2);
        Lease a = take(pool, "a", T0, T0.plusSeconds(60));
        Lease b = take(pool, "b", T0, T0.plusSeconds(60));

        assertThat(a.slot()).isNotEqualTo(b.slot());
        assertThat(store.tryAcquire(pool, "c", T0.plusSeconds(1), T0.plusSeconds(61))).isEmpty();
        assertThat(store.list(pool)).extracting(Lease::holder).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void takersOneAfterAnotherGetEverySlotExactlyOnceAndNoMore() {
        LeasePool pool = pool(4);

        List<Optional<Lease>> taken = IntStream.range(0, 7)
                .mapToObj(i -> store.tryAcquire(pool, "h" + i, T0, T0.plusSeconds(60))).toList();

        assertThat(taken.stream().filter(Optional::isPresent).map(Optional::get).map(Lease::slot))
                .containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(taken.subList(4, 7)).allSatisfy(refused -> assertThat(refused).isEmpty());
    }

    @Test
    void concurrentTakersNeverGetMoreLeasesThanThePoolHasSlots() throws Exception {
        LeasePool pool = pool(4);

        List<Lease> won = Race.of(16, racer -> store.tryAcquire(pool, "racer-" + racer, T0, T0.plusSeconds(60)))
                .stream().flatMap(Optional::stream).toList();

        assertThat(won).hasSize(4);
        assertThat(won).extracting(Lease::slot).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(store.list(pool)).containsExactlyInAnyOrderElementsOf(won);
        assertThat(store.tryAcquire(pool, "late", T0.plusSeconds(1), T0.plusSeconds(61))).isEmpty();
    }

    @Test
    void aPoolWithoutSlotsGivesNothing() {
        LeasePool pool = pool(0);

        assertThat(store.tryAcquire(pool, "a", T0, T0.plusSeconds(60))).isEmpty();
        assertThat(store.list(pool)).isEmpty();
    }

    @Test
    void poolsDoNotShareSlots() {
        LeasePool full = pool(1);
        LeasePool other = pool(1);
        take(full, "a", T0, T0.plusSeconds(60));

        assertThat(store.tryAcquire(other, "b", T0, T0.plusSeconds(60))).isPresent();
        assertThat(store.list(full)).extracting(Lease::holder).containsExactly("a");
        assertThat(store.list(other)).extracting(Lease::holder).containsExactly("b");
    }

    @Test
    void anUnexpiredLeaseKeepsItsSlotFromTheNextTaker() {
        LeasePool pool = pool(1);
        take(pool, "holder", T0, T0.plusSeconds(60));

        assertThat(store.tryAcquire(pool, "other", T0.plusSeconds(59), T0.plusSeconds(120))).isEmpty();
        assertThat(store.list(pool)).extracting(Lease::holder).containsExactly("holder");
    }

    @Test
    void anExpiredLeaseIsFreeForTheNextTaker() {
        LeasePool pool = pool(1);
        Lease dead = take(pool, "died-mid-initialize", T0, T0.plusSeconds(5));

        Instant later = T0.plusSeconds(6);
        Lease next = take(pool, "next", later, later.plusSeconds(60));

        assertThat(next.slot()).isEqualTo(dead.slot());
        assertThat(store.list(pool)).containsExactly(next);
    }

    @Test
    void aReleasedSlotIsFreeAgainAtOnce() {
        LeasePool pool = pool(2);
        Lease first = take(pool, "a", T0, T0.plusSeconds(60));
        take(pool, "b", T0, T0.plusSeconds(60));

        store.release(first);

        assertThat(store.list(pool)).extracting(Lease::holder).containsExactly("b");
        Lease again = take(pool, "c", T0.plusSeconds(1), T0.plusSeconds(61));
        assertThat(again.slot()).isEqualTo(first.slot());
    }

    @Test
    void releaseByAnotherHolderLeavesTheLeaseInPlace() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(60));

        store.release(new Lease(pool.name(), lease.slot(), "impostor", lease.until()));

        assertThat(store.list(pool)).containsExactly(lease);
        assertThat(store.tryAcquire(pool, "other", T0.plusSeconds(1), T0.plusSeconds(61))).isEmpty();
    }

    @Test
    void releaseByAFormerHolderLeavesTheSlotsNewLeaseInPlace() {
        LeasePool pool = pool(1);
        Lease dead = take(pool, "former", T0, T0.plusSeconds(5));
        Lease next = take(pool, "next", T0.plusSeconds(6), T0.plusSeconds(66));

        store.release(dead);

        assertThat(store.list(pool)).containsExactly(next);
    }

    @Test
    void releaseOfAnAlreadyReleasedLeaseChangesNothing() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(60));
        store.release(lease);

        store.release(lease);

        assertThat(store.list(pool)).isEmpty();
    }

    @Test
    void renewByTheHolderMovesTheExpiry() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(5));

        assertThat(store.renew(lease, T0.plusSeconds(600))).isTrue();

        assertThat(store.list(pool)).containsExactly(lease.until(T0.plusSeconds(600)));
        assertThat(store.tryAcquire(pool, "other", T0.plusSeconds(10), T0.plusSeconds(70))).as("past the old expiry").isEmpty();
    }

    @Test
    void renewByAnotherHolderIsRefusedAndChangesNothing() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(5));

        assertThat(store.renew(new Lease(pool.name(), lease.slot(), "impostor", lease.until()), T0.plusSeconds(600))).isFalse();

        assertThat(store.list(pool)).containsExactly(lease);
        assertThat(store.tryAcquire(pool, "other", T0.plusSeconds(6), T0.plusSeconds(66))).isPresent();
    }

    @Test
    void renewByAFormerHolderIsRefusedOnceTheSlotWasTakenAgain() {
        LeasePool pool = pool(1);
        Lease dead = take(pool, "former", T0, T0.plusSeconds(5));
        Lease next = take(pool, "next", T0.plusSeconds(6), T0.plusSeconds(66));

        assertThat(store.renew(dead, T0.plusSeconds(600))).isFalse();

        assertThat(store.list(pool)).containsExactly(next);
    }

    @Test
    void renewByTheHolderOfAnExpiredLeaseNobodyTookYetSucceeds() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "slow-holder", T0, T0.plusSeconds(5));

        assertThat(store.renew(lease, T0.plusSeconds(600))).as("expired, but not taken").isTrue();

        assertThat(store.list(pool)).containsExactly(lease.until(T0.plusSeconds(600)));
        assertThat(store.tryAcquire(pool, "other", T0.plusSeconds(10), T0.plusSeconds(70))).isEmpty();
    }

    @Test
    void renewOfAReleasedLeaseIsRefusedAndDoesNotRecreateIt() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(60));
        store.release(lease);

        assertThat(store.renew(lease, T0.plusSeconds(600))).isFalse();

        assertThat(store.list(pool)).isEmpty();
    }

    @Test
    void listShowsEveryLeaseInSlotOrderExpiredOnesIncluded() {
        LeasePool pool = pool(5);
        for (int i = 0; i < 5; i++) {
            // alternately short and long leases, so that some have expired by the time they are listed
            take(pool, "h" + i, T0, T0.plusSeconds(i % 2 == 0 ? 1 : 600));
        }
        // one expired lease taken over, so that slots were not all taken in order
        take(pool, "late", T0.plusSeconds(2), T0.plusSeconds(602));

        List<Lease> listed = store.list(pool);

        assertThat(listed).extracting(Lease::slot).containsExactly(0, 1, 2, 3, 4);
        assertThat(listed).extracting(Lease::pool).containsOnly(pool.name());
        assertThat(listed).filteredOn(lease -> lease.until().equals(T0.plusSeconds(1))).hasSize(2);
        assertThat(listed).extracting(Lease::holder).contains("late");
    }

    @Test
    void listOfAnUnusedPoolIsEmpty() {
        assertThat(store.list(pool(3))).isEmpty();
    }

    @Test
    void reapExpiredDeletesOnlyExpiredLeasesAndCountsThem() {
        LeasePool pool = pool(4);
        take(pool, "expired-1", T0, T0.plusSeconds(1));
        Lease live = take(pool, "live", T0, T0.plusSeconds(600));
        take(pool, "expired-2", T0, T0.plusSeconds(2));

        assertThat(store.reapExpired(pool, T0.plusSeconds(3))).isEqualTo(2);

        assertThat(store.list(pool)).containsExactly(live);
        assertThat(store.reapExpired(pool, T0.plusSeconds(3))).as("nothing left to reap").isZero();
    }

    @Test
    void reapExpiredLeavesARenewedLeaseAlone() {
        LeasePool pool = pool(1);
        Lease lease = take(pool, "holder", T0, T0.plusSeconds(1));
        store.renew(lease, T0.plusSeconds(600));

        assertThat(store.reapExpired(pool, T0.plusSeconds(2))).isZero();

        assertThat(store.list(pool)).containsExactly(lease.until(T0.plusSeconds(600)));
    }
}
