package dev.mcpbroker.auditverifier;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads every record of a stream: all shards (parents before their children, so a session's events keep their order
 * across a reshard), each from {@code TRIM_HORIZON} with GetShardIterator/GetRecords until the shard is closed and
 * read, or the reader has caught up with its tip (an empty answer with {@code millisBehindLatest} 0), bounded by a
 * deadline.
 */
final class KinesisStreamReader {

    /** One record as read. */
    record StreamRecord(String shardId, String sequenceNumber, String partitionKey, byte[] data) {
        String location() {
            return shardId + "/" + sequenceNumber;
        }
    }

    /**
     * @param shards   shards in the stream
     * @param records  records read
     * @param complete whether every shard was read to its end or tip before the deadline
     * @param pending  shards not read to the end, if incomplete
     */
    record Result(int shards, long records, boolean complete, List<String> pending) {
    }

    private static final int LIMIT = 10_000;
    private static final Duration THROTTLE_PAUSE = Duration.ofMillis(250);

    private final KinesisClient kinesis;
    private final Clock clock;

    KinesisStreamReader(KinesisClient kinesis, Clock clock) {
        this.kinesis = Objects.requireNonNull(kinesis);
        this.clock = Objects.requireNonNull(clock);
    }

    Result read(String stream, Instant deadline, Consumer<StreamRecord> sink) {
        List<Shard> shards = parentsFirst(listShards(stream));
        long count = 0;
        List<String> pending = new ArrayList<>();
        for (Shard shard : shards) {
            if (!pending.isEmpty() || clock.instant().isAfter(deadline)) {
                pending.add(shard.shardId());
                continue;
            }
            ShardRead read = readShard(stream, shard.shardId(), deadline, sink);
            count += read.records;
            if (!read.complete) {
                pending.add(shard.shardId());
            }
        }
        return new Result(shards.size(), count, pending.isEmpty(), pending);
    }

    private record ShardRead(long records, boolean complete) {
    }

    private ShardRead readShard(String stream, String shardId, Instant deadline, Consumer<StreamRecord> sink) {
        String iterator = iterator(stream, shardId, null);
        String lastSequenceNumber = null;
        long records = 0;
        while (true) {
            if (clock.instant().isAfter(deadline)) {
                return new ShardRead(records, false);
            }
            GetRecordsResponse response;
            try {
                String current = iterator;
                response = kinesis.getRecords(b -> b.shardIterator(current).limit(LIMIT));
            } catch (ProvisionedThroughputExceededException e) {
                pause();
                continue;
            } catch (ExpiredIteratorException e) {
                iterator = iterator(stream, shardId, lastSequenceNumber);
                continue;
            }
            for (Record r : response.records()) {
                sink.accept(new StreamRecord(shardId, r.sequenceNumber(), r.partitionKey(), r.data().asByteArray()));
                lastSequenceNumber = r.sequenceNumber();
                records++;
            }
            iterator = response.nextShardIterator();
            if (iterator == null) {
                return new ShardRead(records, true); // a closed shard, read to its end
            }
            boolean atTip = response.millisBehindLatest() == null || response.millisBehindLatest() == 0;
            if (response.records().isEmpty()) {
                if (atTip) {
                    return new ShardRead(records, true);
                }
                pause(); // GetRecords allows 5 calls per second and shard
            }
        }
    }

    private String iterator(String stream, String shardId, String afterSequenceNumber) {
        return kinesis.getShardIterator(b -> {
            b.streamName(stream).shardId(shardId);
            if (afterSequenceNumber == null) {
                b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
            } else {
                b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(afterSequenceNumber);
            }
        }).shardIterator();
    }

    private List<Shard> listShards(String stream) {
        List<Shard> shards = new ArrayList<>();
        String next = null;
        do {
            ListShardsRequest request = next == null ? ListShardsRequest.builder().streamName(stream).build()
                    : ListShardsRequest.builder().nextToken(next).build();
            ListShardsResponse response = kinesis.listShards(request);
            shards.addAll(response.shards());
            next = response.nextToken();
        } while (next != null);
        return shards;
    }

    /** Orders shards so every shard comes after its parent and adjacent parent (when those are still listed). */
    static List<Shard> parentsFirst(List<Shard> shards) {
        Map<String, Shard> byId = new LinkedHashMap<>();
        shards.forEach(s -> byId.put(s.shardId(), s));
        List<Shard> ordered = new ArrayList<>(shards.size());
        Set<String> done = new HashSet<>();
        while (ordered.size() < byId.size()) {
            boolean progressed = false;
            for (Shard s : byId.values()) {
                if (!done.contains(s.shardId()) && ready(s.parentShardId(), byId, done) && ready(s.adjacentParentShardId(), byId, done)) {
                    ordered.add(s);
                    done.add(s.shardId());
                    progressed = true;
                }
            }
            if (!progressed) { // a cycle cannot happen in Kinesis; read what is left in listing order
                byId.values().stream().filter(s -> !done.contains(s.shardId())).forEach(ordered::add);
                break;
            }
        }
        return ordered;
    }

    private static boolean ready(String parent, Map<String, Shard> byId, Set<String> done) {
        return parent == null || !byId.containsKey(parent) || done.contains(parent);
    }

    private static void pause() {
        try {
            Thread.sleep(THROTTLE_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
