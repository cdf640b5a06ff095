package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.error.StoreUnavailableException;

/**
 * Whether an in-memory store answers: switched off, every call fails as the real store fails when it cannot be
 * asked ({@link StoreUnavailableException}), so tests of the request path can take any port down.
 */
public class Availability {

    private volatile boolean down;

    /** Takes the store down ({@code true}) or brings it back. */
    public void down(boolean isDown) {
        this.down = isDown;
    }

    protected void answer(String operation) {
        if (down) {
            throw new StoreUnavailableException(getClass().getSimpleName() + " " + operation + ": store is down", null);
        }
    }
}
