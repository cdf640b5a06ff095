package dev.mcpbroker.auditstream;

import dev.mcpbroker.core.audit.AuditPublisher;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;

/**
 * The audit account's Kinesis stream. One PutRecord per event with {@code SequenceNumberForOrdering}, so
 * the events of one session (one partition key) are stored in the order they were recorded. Shared by the
 * audit forwarder function and the operator's re-drive ({@code scripts/admin.sh audit-redrive}), so both
 * put events on the stream the same way.
 */
public final class KinesisAuditPublisher implements AuditPublisher {

    private final KinesisClient kinesis;
    private final String streamArn;

    public KinesisAuditPublisher(KinesisClient kinesis, String streamArn) {
        this.kinesis = kinesis;
        this.streamArn = streamArn;
    }

    @Override
    public String publish(String partitionKey, byte[] canonicalEvent, String afterSequenceNumber) {
        PutRecordRequest.Builder request = PutRecordRequest.builder()
                .streamARN(streamArn)
                .partitionKey(partitionKey)
                .data(SdkBytes.fromByteArray(canonicalEvent));
        if (afterSequenceNumber != null) {
            request.sequenceNumberForOrdering(afterSequenceNumber);
        }
        try {
            return kinesis.putRecord(request.build()).sequenceNumber();
        } catch (SdkException e) {
            throw new PublishFailedException("PutRecord failed: " + e.getClass().getSimpleName(), e);
        }
    }
}
