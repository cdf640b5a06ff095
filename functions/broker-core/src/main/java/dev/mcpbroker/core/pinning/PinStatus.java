package dev.mcpbroker.core.pinning;

/** How a live tool definition stands against the approved one of its name. */
public enum PinStatus {
    /** The live definition is the approved one. */
    APPROVED,
    /** A definition of that name was approved, and the live one differs from it. */
    CHANGED,
    /** No definition of that name was ever approved. */
    NEW;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
