package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.TaskOwners;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskOwners} does: the owner recorded for a task is the one read back, the first owner keeps the
 * task, and tasks of other servers are apart. Servers are random per test.
 */
public abstract class TaskOwnersContract {

    private static final Instant FORGET_AFTER = Instant.parse("2030-01-01T00:00:00Z");
    private static final SessionOwner ALICE = new SessionOwner("agent-a", "tenant-1", "alice@example.com");
    private static final SessionOwner MALLORY = new SessionOwner("agent-m", "tenant-2", null);

    private TaskOwners owners;
    private final String server = "server-" + UUID.randomUUID();

    protected abstract TaskOwners newOwners();

    @BeforeEach
    void open() {
        owners = newOwners();
    }

    @Test
    void aRecordedOwnerIsReadBackAsItsAgentAndTenant() {
        owners.recordOwner(server, "task-1", ALICE, FORGET_AFTER);

        assertThat(owners.ownerOf(server, "task-1")).hasValueSatisfying(owner -> {
            assertThat(owner).isEqualTo(ALICE);
            assertThat(owner.agentId()).isEqualTo("agent-a");
            assertThat(owner.tenantId()).isEqualTo("tenant-1");
        });
    }

    @Test
    void aTaskNeverRecordedHasNoOwner() {
        assertThat(owners.ownerOf(server, "task-unknown")).isEmpty();
    }

    @Test
    void theFirstOwnerKeepsTheTaskWhateverIsRecordedLater() {
        owners.recordOwner(server, "task-1", ALICE, FORGET_AFTER);
        owners.recordOwner(server, "task-1", MALLORY, FORGET_AFTER);
        owners.recordOwner(server, "task-1", ALICE, FORGET_AFTER);

        assertThat(owners.ownerOf(server, "task-1")).contains(ALICE);
    }

    @Test
    void theSameTaskIdOnAnotherServerIsAnotherTask() {
        owners.recordOwner(server, "task-1", ALICE, FORGET_AFTER);

        assertThat(owners.ownerOf(server + "-other", "task-1")).isEmpty();
    }
}
