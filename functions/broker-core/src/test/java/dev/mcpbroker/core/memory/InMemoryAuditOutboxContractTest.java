package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.AuditOutboxContract;
import dev.mcpbroker.core.audit.AuditBacklog;
import dev.mcpbroker.core.audit.AuditOutbox;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryAuditOutboxContractTest extends AuditOutboxContract {

    @Override
    protected AuditOutbox newOutbox() {
        return new InMemoryAuditOutbox();
    }

    @Override
    protected AuditBacklog backlogOf(AuditOutbox outbox) {
        return (InMemoryAuditOutbox) outbox;
    }
}
