package dev.mcpbroker.core.pinning;

import java.util.Locale;

/**
 * What the broker does when a server's live tool definitions are not the approved ones.
 */
public enum PinningMode {
    /** Definitions are not compared; every tool the upstream lists is offered (the default of every server). */
    OFF,
    /**
     * A changed definition is offered and callable, counted and audited; a tool never seen before is approved as it
     * is the first time the broker sees it.
     */
    WARN,
    /**
     * Only approved definitions are offered: a changed or never-approved tool is left out of {@code tools/list} and
     * its calls are refused before the upstream is contacted.
     */
    ENFORCE;

    /** The name operators and the policy table use: {@code off}, {@code warn}, {@code enforce}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but {@code off}, {@code warn} or {@code enforce} */
    public static PinningMode of(String wireName) {
        for (PinningMode mode : values()) {
            if (mode.wireName().equals(wireName)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("pinning mode must be off, warn or enforce");
    }
}
