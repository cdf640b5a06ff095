package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.AuditedIdempotencyStoreContract;
import dev.mcpbroker.core.idempotency.SeparatelyAudited;

/** The two-write store over the in-memory adapters, held to the same contract as the one-transaction DynamoDB store. */
class SeparatelyAuditedContractTest extends AuditedIdempotencyStoreContract {

    @Override
    protected Stores newStores() {
        InMemoryAuditOutbox outbox = new InMemoryAuditOutbox();
        return new Stores(new SeparatelyAudited(new InMemoryIdempotencyStore(), outbox), outbox);
    }
}
