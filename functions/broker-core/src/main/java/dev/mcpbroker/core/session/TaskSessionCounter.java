package dev.mcpbroker.core.session;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;

/**
 * Counts the sessions each agent task opens: one task fanning out to many sessions is how an agent
 * framework exhausts an upstream's capacity, and this is the number that shows it.
 */
public interface TaskSessionCounter {

    /**
     * Counts one more session of the task.
     *
     * @param forgetAfter when the count may be dropped (tasks are short-lived)
     * @return the task's sessions so far, this one included
     * @throws StoreUnavailableException when the store could not be asked
     */
    long countSession(String tenantId, String taskId, Instant forgetAfter);

    TaskSessionCounter NONE = (tenantId, taskId, forgetAfter) -> 0;
}
