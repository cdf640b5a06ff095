package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One shard of a DynamoDB stream as an event source mapping reads it: where reading goes on, the records read and
 * kept by the filter but not yet taken by the function (in stream order), and the retry state of its current batch.
 * Not thread-safe: one mapping thread owns it.
 */
final class StreamShard {

    private static final System.Logger LOG = System.getLogger(StreamShard.class.getName());
    private static final int GET_RECORDS_LIMIT = 1000;

    final String id;
    final String parentId;
    final Deque<ObjectNode> buffer = new ArrayDeque<>();
    private final ShardIteratorType start;
    private String iterator;
    private String lastRead;
    private boolean ended;
    /** Read to its end and everything delivered: its children may start. */
    boolean finished;
    /** Failed attempts of the batch at the head of the buffer. */
    int attempts;
    /** When that batch may be offered again. */
    Instant retryAt = Instant.MIN;

    StreamShard(String id, String parentId, ShardIteratorType start) {
        this.id = id;
        this.parentId = parentId;
        this.start = start;
    }

    /** Whether the stream may have more records for this shard (it is open, or not read to its end yet). */
    boolean readable() {
        return !ended;
    }

    /**
     * Reads the next records and keeps those {@code filter} keeps; true when the stream had any.
     *
     * @param label names the mapping in log lines
     */
    boolean read(DynamoDbStreamsClient streams, String streamArn, EventFilter filter, String label) {
        if (iterator == null) {
            iterator = iterator(streams, streamArn);
        }
        GetRecordsResponse response;
        try {
            String current = iterator;
            response = streams.getRecords(b -> b.shardIterator(current).limit(GET_RECORDS_LIMIT));
        } catch (ExpiredIteratorException e) {
            iterator = null; // a new one continues after the last record read
            return false;
        } catch (TrimmedDataAccessException e) {
            // DynamoDB Local also answers this for a TRIM_HORIZON iterator taken while the shard was still empty:
            // nothing was lost then, and a fresh iterator reads from the first record.
            if (lastRead != null) {
                LOG.log(System.Logger.Level.ERROR, label + ": shard " + id + " was trimmed past " + lastRead
                        + ": records were lost before they were read");
            }
            lastRead = null;
            iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(id)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            return false;
        }
        for (Record record : response.records()) {
            lastRead = record.dynamodb().sequenceNumber();
            ObjectNode json = DynamoDbStreamEvents.record(record, streamArn);
            if (filter.matches(json)) {
                buffer.add(json);
            }
        }
        iterator = response.nextShardIterator();
        ended = iterator == null;
        return !response.records().isEmpty();
    }

    private String iterator(DynamoDbStreamsClient streams, String streamArn) {
        return streams.getShardIterator(b -> {
            b.streamArn(streamArn).shardId(id);
            if (lastRead != null) {
                b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(lastRead);
            } else {
                b.shardIteratorType(start);
            }
        }).shardIterator();
    }
}
