package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.session.TaskSessionCounter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskSessionCounter} does: it counts the sessions of one task of one tenant, each call one more,
 * concurrent calls included, and tasks of other tenants or with other ids apart. Tenants are random per test.
 */
public abstract class TaskSessionCounterContract {

    protected static final Instant FORGET_AFTER = Instant.parse("2030-01-01T00:00:00Z");

    private TaskSessionCounter counter;
    private final String tenant = "tenant-" + UUID.randomUUID();

    protected abstract TaskSessionCounter newCounter();

    @BeforeEach
    void openCounter() {
        counter = newCounter();
    }

    @Test
    void theFirstSessionOfATaskCountsOne() {
        assertThat(counter.countSession(tenant, "task-1", FORGET_AFTER)).isEqualTo(1);
    }

    @Test
    void eachFurtherSessionOfTheTaskCountsOneMore() {
        counter.countSession(tenant, "task-1", FORGET_AFTER);

        assertThat(counter.countSession(tenant, "task-1", FORGET_AFTER)).isEqualTo(2);
        assertThat(counter.countSession(tenant, "task-1", FORGET_AFTER.plusSeconds(60))).isEqualTo(3);
    }

    @Test
    void otherTasksOfTheTenantAreCountedApart() {
        counter.countSession(tenant, "task-1", FORGET_AFTER);
        counter.countSession(tenant, "task-1", FORGET_AFTER);

        assertThat(counter.countSession(tenant, "task-2", FORGET_AFTER)).isEqualTo(1);
        assertThat(counter.countSession(tenant, "task-1", FORGET_AFTER)).isEqualTo(3);
    }

    @Test
    void theSameTaskIdOfAnotherTenantIsCountedApart() {
        String otherTenant = "tenant-" + UUID.randomUUID();
        counter.countSession(tenant, "task-1", FORGET_AFTER);
        counter.countSession(tenant, "task-1", FORGET_AFTER);

        assertThat(counter.countSession(otherTenant, "task-1", FORGET_AFTER)).isEqualTo(1);
    }

    /** Protected: an adapter known to disagree here (and reported) overrides it as a disabled test. */
    @Test
    protected void tenantAndTaskIdsThatJoinToTheSameTextAreCountedApart() {
        // tenant "<t>#a" with task "b" and tenant "<t>" with task "a#b": different tasks of different tenants
        counter.countSession(tenant + "#a", "b", FORGET_AFTER);

        assertThat(counter.countSession(tenant, "a#b", FORGET_AFTER)).isEqualTo(1);
    }

    @Test
    void concurrentSessionsOfOneTaskAreEachCountedOnce() throws Exception {
        int threads = 8;
        int perThread = 5;

        List<List<Long>> counts = Race.of(threads, racer -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(counter.countSession(tenant, "fan-out", FORGET_AFTER));
            }
            return mine;
        });

        assertThat(counts.stream().flatMap(List::stream))
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, threads * perThread).boxed().toList());
        assertThat(counter.countSession(tenant, "fan-out", FORGET_AFTER)).isEqualTo(threads * perThread + 1);
    }
}
