package dev.mcpbroker.core.pinning;

import java.time.Instant;
import java.util.Objects;

/**
 * A tool definition an operator approved (or the broker approved on first sight under {@link PinningMode#WARN}).
 *
 * @param definition the approved definition
 * @param approvedAt when
 * @param approvedBy who: an operator's name, or {@link #FIRST_SIGHT}
 */
public record ApprovedTool(ToolDefinition definition, Instant approvedAt, String approvedBy) {

    /** Who approved a tool the broker saw for the first time on a server under {@link PinningMode#WARN}. */
    public static final String FIRST_SIGHT = "broker:first-sight";

    public ApprovedTool {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(approvedAt, "approvedAt");
        Objects.requireNonNull(approvedBy, "approvedBy");
    }

    public String name() {
        return definition.name();
    }

    public String hash() {
        return definition.hash();
    }
}
