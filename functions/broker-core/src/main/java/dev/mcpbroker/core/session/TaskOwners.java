package dev.mcpbroker.core.session;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.Optional;

/**
 * Who created each upstream task: a task an upstream creates for a {@code tools/call} belongs to the identity (tenant
 * and agent) that made the call, and only that identity may get, update, cancel or list it. Task ids are the
 * upstream's; the broker never relays a task request for an id it did not see created for the caller.
 * Implementations throw {@link StoreUnavailableException} when the store cannot be asked.
 */
public interface TaskOwners {

    /**
     * Records the owner of a task just created. A task is recorded once: recording it again for the same owner is
     * harmless, for another owner it changes nothing.
     *
     * @param forgetAfter when the record may be dropped (tasks outlive their sessions, but not by days)
     */
    void recordOwner(String serverId, String taskId, SessionOwner owner, Instant forgetAfter);

    /** The owner recorded for a task, if any (tenant and agent; the user is not kept). */
    Optional<SessionOwner> ownerOf(String serverId, String taskId);
}
