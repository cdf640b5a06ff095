package dev.mcpbroker.conformance.era;

/** Which protocol generations this process serves (both by default; {@code --legacy-only}, {@code --modern-only}). */
public record ServedGenerations(boolean legacy, boolean modern) {

    public static final ServedGenerations BOTH = new ServedGenerations(true, true);
    public static final ServedGenerations LEGACY_ONLY = new ServedGenerations(true, false);
    public static final ServedGenerations MODERN_ONLY = new ServedGenerations(false, true);

    public ServedGenerations {
        if (!legacy && !modern) {
            throw new IllegalArgumentException("serve at least one generation");
        }
    }

    @Override
    public String toString() {
        return legacy && modern ? "dual-era" : legacy ? "legacy-only" : "modern-only";
    }
}
