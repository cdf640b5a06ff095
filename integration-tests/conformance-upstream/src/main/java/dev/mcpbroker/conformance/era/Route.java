package dev.mcpbroker.conformance.era;

/** Where a POSTed message goes, as {@link GenerationDetector} decides. */
public enum Route {
    /** A 2026-07-28 request: served statelessly from its own {@code _meta} and headers. */
    MODERN,
    /** {@code initialize}: opens a legacy session. */
    LEGACY_INITIALIZE,
    /** A message on a live legacy session. */
    LEGACY_SESSION,
    /** A legacy message naming a session this server does not know (ended or never issued): 404. */
    LEGACY_UNKNOWN_SESSION,
    /** A legacy message without a session id: 400. */
    LEGACY_MISSING_SESSION
}
