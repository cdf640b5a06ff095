package dev.mcpbroker.core.identity;

import java.util.Objects;
import java.util.Optional;

/**
 * Who is calling, as established from a verified token.
 *
 * @param agentId    the agent, from the configured claim ({@code sub} by default)
 * @param tenantId   the tenant the token names, or null when the token names none (the allowlist decides)
 * @param onBehalfOf the human user the agent acts for (e.g. {@code act.sub}), kept for audit; may be null
 */
public record AgentIdentity(String agentId, String tenantId, String onBehalfOf) {

    public AgentIdentity {
        Objects.requireNonNull(agentId, "agentId");
        if (agentId.isBlank()) {
            throw new IllegalArgumentException("agentId is blank");
        }
    }

    public Optional<String> tenant() {
        return Optional.ofNullable(tenantId);
    }

    public Optional<String> user() {
        return Optional.ofNullable(onBehalfOf);
    }
}
