package dev.mcpbroker.core.error;

/**
 * What an agent may conclude from a failed call, and so how it may recover. Carried in every broker error
 * as {@code error.data.failureClass}.
 */
public enum FailureClass {

    /** The upstream was not called, or refused before acting: retrying as is is safe. */
    NOT_EXECUTED("not_executed"),

    /** Retrying the same request will fail the same way. */
    DETERMINISTIC("deterministic"),

    /** The upstream may have acted: the outcome is unknown and a blind retry may repeat a side effect. */
    AMBIGUOUS("ambiguous");

    private final String wireName;

    FailureClass(String wireName) {
        this.wireName = wireName;
    }

    /** The stable name used on the wire and in the audit trail. */
    public String wireName() {
        return wireName;
    }
}
