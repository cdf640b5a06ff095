package dev.mcpbroker.core.time;

import java.time.Duration;

/**
 * Waiting, behind a port like {@link java.time.Clock} is for reading the time: code that backs off or polls is
 * given one, so tests replace real waits with a clock that moves.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits for {@code duration} (nothing when it is zero or negative).
     *
     * @throws InterruptedException when the waiting thread was interrupted
     */
    void sleep(Duration duration) throws InterruptedException;

    /** Real time: {@link Thread#sleep(Duration)}. */
    Sleeper SYSTEM = duration -> {
        if (duration.isPositive()) {
            Thread.sleep(duration);
        }
    };
}
