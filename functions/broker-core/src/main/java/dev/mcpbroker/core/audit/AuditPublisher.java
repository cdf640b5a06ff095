package dev.mcpbroker.core.audit;

/**
 * The audit account's stream, as the forwarder sees it. Implementations put one record at a time so that
 * a session's events keep their order.
 */
public interface AuditPublisher {

    /**
     * Puts one event on the stream.
     *
     * @param partitionKey     the event's chain (its session): one chain stays on one shard, in order
     * @param canonicalEvent   the event exactly as stored in the outbox (canonical JSON)
     * @param afterSequenceNumber the stream sequence number of the chain's previous record in this batch, so
     *                         the stream orders them; null for the first
     * @return the sequence number the stream assigned
     * @throws PublishFailedException when the stream did not take the record
     */
    String publish(String partitionKey, byte[] canonicalEvent, String afterSequenceNumber);

    /** The record was not taken; it must be offered again. */
    final class PublishFailedException extends RuntimeException {
        public PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
