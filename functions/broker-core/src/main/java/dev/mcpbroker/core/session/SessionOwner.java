package dev.mcpbroker.core.session;

import java.util.Objects;

/**
 * The identity a session is bound to. Sessions are not credentials: every request is authenticated on
 * its own, and a session presented by any other agent or tenant is treated as unknown.
 *
 * @param agentId    the agent that opened the session
 * @param tenantId   its tenant
 * @param onBehalfOf the user it acted for at initialize, kept for audit; may be null
 */
public record SessionOwner(String agentId, String tenantId, String onBehalfOf) {

    public SessionOwner {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tenantId, "tenantId");
    }

    /** Ownership is agent and tenant; the user an agent acts for may differ between requests. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SessionOwner o && agentId.equals(o.agentId) && tenantId.equals(o.tenantId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(agentId, tenantId);
    }
}
