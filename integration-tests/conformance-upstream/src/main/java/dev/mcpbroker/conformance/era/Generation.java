package dev.mcpbroker.conformance.era;

/** The two protocol generations: legacy (2025-03-26..2025-11-25, sessions) and modern (2026-07-28, stateless). */
public enum Generation {
    LEGACY,
    MODERN
}
