package dev.mcpbroker.core.broker;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Log lines for refusals the audit trail does not record (identities not on the allowlist, unregistered servers),
 * sampled: at most one line per reason per window, saying how many more were refused meanwhile. A flood of such
 * requests costs a counter, not a log line or a write each.
 */
final class RefusalLog {

    private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());
    static final Duration WINDOW = Duration.ofSeconds(10);

    /** When a reason was last logged, and how many of it were refused since without a line. */
    private static final class Window {
        private Instant loggedAt;
        private long suppressed;
    }

    private final Clock clock;
    private final Map<String, Window> windows = new HashMap<>();

    RefusalLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * @param reason a stable reason code (the map of windows is bounded by their number)
     * @return whether a line was written
     */
    synchronized boolean refused(String reason, String agentId) {
        Instant now = clock.instant();
        Window window = windows.computeIfAbsent(reason, r -> new Window());
        if (window.loggedAt != null && now.isBefore(window.loggedAt.plus(WINDOW))) {
            window.suppressed++;
            return false;
        }
        long more = window.suppressed;
        window.loggedAt = now;
        window.suppressed = 0;
        LOG.log(Level.WARNING, () -> "refused (" + reason + ") for agent " + truncated(agentId)
                + (more > 0 ? "; " + more + " more refused for this reason in the last " + WINDOW.toSeconds() + " s" : ""));
        return true;
    }

    private static String truncated(String value) {
        return value == null || value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
