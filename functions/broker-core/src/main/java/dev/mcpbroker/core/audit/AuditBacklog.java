package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.util.Set;

/**
 * Which chains of the {@link AuditOutbox} hold events not yet delivered to the audit stream: what a re-drive starts
 * from after the forwarder gave up on a batch. Found without reading delivered events or other state (the DynamoDB
 * outbox keeps a sparse index of undelivered events); the events themselves are then read from the outbox, in chain
 * order, with {@link AuditOutbox#undelivered}.
 *
 * <p>The answer may lag the outbox slightly (the index is eventually consistent): an event appended or delivered a
 * moment ago may be missing or still listed. A re-drive reads each chain consistently, so that costs at most a look.
 */
public interface AuditBacklog {

    /**
     * The chain keys with at least one undelivered event.
     *
     * @throws StoreUnavailableException when the backlog could not be read
     */
    Set<String> chainsWithUndeliveredEvents();
}
