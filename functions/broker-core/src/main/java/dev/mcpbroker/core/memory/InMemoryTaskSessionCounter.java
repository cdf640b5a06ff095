package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.session.TaskSessionCounter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** {@link TaskSessionCounter} in memory. */
public final class InMemoryTaskSessionCounter extends Availability implements TaskSessionCounter {

    private final Map<String, Long> counts = new HashMap<>();

    @Override
    public synchronized long countSession(String tenantId, String taskId, Instant forgetAfter) {
        answer("count");
        return counts.merge(tenantId.length() + ":" + tenantId + "#" + taskId, 1L, Long::sum);
    }
}
