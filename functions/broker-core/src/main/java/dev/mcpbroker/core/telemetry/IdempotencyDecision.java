package dev.mcpbroker.core.telemetry;

/**
 * How a state-changing {@code tools/call} with an idempotency key was decided, as telemetry names it.
 * The names are stable: dashboards and alarms select on them.
 */
public enum IdempotencyDecision {

    /** The key was free: the call went upstream. */
    EXECUTE("execute"),
    /** The call completed before with the same arguments: the stored answer was returned. */
    REPLAY("replay"),
    /** The key was used with other arguments: refused. */
    CONFLICT("conflict"),
    /** Another attempt with the key is executing: refused for now. */
    IN_PROGRESS("in_progress"),
    /** An earlier attempt's outcome is unknown: refused, never executed again. */
    UNKNOWN("unknown");

    private final String wireName;

    IdempotencyDecision(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
