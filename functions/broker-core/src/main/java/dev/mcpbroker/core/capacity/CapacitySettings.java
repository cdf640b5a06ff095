package dev.mcpbroker.core.capacity;

import java.time.Duration;
import java.util.Objects;

/**
 * How the concurrent sessions of each upstream server are capped.
 *
 * @param defaultMaxSessions cap of a server whose registry entry sets none
 * @param queueDepth         how many initializes may wait for a slot per server; beyond it they are
 *                           refused at once
 * @param queueWait          how long a waiting initialize waits before it is refused
 * @param pollInterval       how often a waiting initialize looks for a freed slot
 * @param initializeLease    how long a slot taken for an initialize stays held before the session is
 *                           stored; bounds how long an instance that dies mid-initialize keeps it
 */
public record CapacitySettings(int defaultMaxSessions, int queueDepth, Duration queueWait, Duration pollInterval,
                               Duration initializeLease) {

    public CapacitySettings {
        Objects.requireNonNull(queueWait, "queueWait");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(initializeLease, "initializeLease");
        if (defaultMaxSessions < 1 || queueDepth < 0) {
            throw new IllegalArgumentException("the session cap must be positive and the queue depth not negative");
        }
    }
}
