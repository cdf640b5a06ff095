package dev.mcpbroker.sessiontable.policy;

/** Why {@link PolicyAdmin} refused a change; each is thrown before anything was written. */
public final class PolicyAdminException {

    private PolicyAdminException() {
    }

    /** The server has no registry item; nothing was written. */
    public static final class UnknownServerException extends RuntimeException {
        private final String serverId;

        public UnknownServerException(String serverId) {
            super("no server registered as " + serverId);
            this.serverId = serverId;
        }

        public String serverId() {
            return serverId;
        }
    }

    /** The agent has no grant item; nothing was written. */
    public static final class UnknownAgentException extends RuntimeException {
        private final String agentId;

        public UnknownAgentException(String agentId) {
            super("no agent " + agentId);
            this.agentId = agentId;
        }

        public String agentId() {
            return agentId;
        }
    }

    /** The agent already belongs to another tenant; nothing was written. */
    public static final class TenantConflictException extends RuntimeException {
        private final String agentId;
        private final String currentTenantId;
        private final String requestedTenantId;

        public TenantConflictException(String agentId, String currentTenantId, String requestedTenantId) {
            super("agent " + agentId + " belongs to tenant " + currentTenantId + ", not " + requestedTenantId);
            this.agentId = agentId;
            this.currentTenantId = currentTenantId;
            this.requestedTenantId = requestedTenantId;
        }

        public String agentId() {
            return agentId;
        }

        public String currentTenantId() {
            return currentTenantId;
        }

        public String requestedTenantId() {
            return requestedTenantId;
        }
    }
}
