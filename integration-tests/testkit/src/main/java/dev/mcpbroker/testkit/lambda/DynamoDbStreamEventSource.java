package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * What Lambda's event source mapping does for a DynamoDB stream and one function: it reads every shard (a child
 * shard only once its parent is read to the end, so the changes of an item stay in order), keeps the records the
 * {@link EventFilter} keeps, and invokes the function with batches of up to {@code batchSize} of them. It honours
 * {@code ReportBatchItemFailures}: a batch whose answer names failed records is offered again from the first of
 * them, in order and never split further; a batch whose invocation failed is offered again whole. After
 * {@code maximumRetryAttempts} retries the batch is discarded, which Lambda reports to the on-failure destination;
 * locally there is none, so the discard is logged (shard and sequence numbers, never record contents).
 */
public final class DynamoDbStreamEventSource implements AutoCloseable {

    /** The mapping's settings, as a template's {@code DynamoDB} event declares them. */
    public record Settings(int batchSize, ShardIteratorType startingPosition, EventFilter filter, int maximumRetryAttempts,
                           Duration pollInterval) {

        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1");
            }
            Objects.requireNonNull(startingPosition);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(pollInterval);
        }
    }

    private static final System.Logger LOG = System.getLogger(DynamoDbStreamEventSource.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SHARD_REFRESH = Duration.ofSeconds(10);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String name;
    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final FunctionInvoker function;
    private final Settings settings;
    private final Map<String, StreamShard> shards = new LinkedHashMap<>();
    private final AtomicLong delivered = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    private Instant nextRefresh = Instant.MIN;
    private boolean listedOnce;
    private boolean unreachable;

    private DynamoDbStreamEventSource(String name, DynamoDbStreamsClient streams, String streamArn, FunctionInvoker function,
                                      Settings settings) {
        this.name = name;
        this.streams = streams;
        this.streamArn = streamArn;
        this.function = function;
        this.settings = settings;
        this.thread = Thread.ofPlatform().daemon().name("event-source-" + name).unstarted(this::run);
    }

    /** Starts reading {@code streamArn} for {@code function}; {@code name} labels its log lines. */
    public static DynamoDbStreamEventSource start(String name, DynamoDbStreamsClient streams, String streamArn,
                                                  FunctionInvoker function, Settings settings) {
        DynamoDbStreamEventSource source = new DynamoDbStreamEventSource(name, streams, streamArn, function, settings);
        source.thread.start();
        return source;
    }

    /** Records the function took so far (in batches it answered without failures for them). */
    public long delivered() {
        return delivered.get();
    }

    /** Whether the mapping still reads the stream. */
    public boolean running() {
        return thread.isAlive();
    }

    /** Stops reading; a batch in flight is abandoned, as when a mapping is disabled. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closed) {
            boolean busy = false;
            try {
                if (Instant.now().isAfter(nextRefresh)) {
                    listShards();
                    nextRefresh = Instant.now().plus(SHARD_REFRESH);
                }
                for (StreamShard shard : List.copyOf(shards.values())) {
                    if (closed) {
                        return;
                    }
                    if (!shard.finished && parentDone(shard)) {
                        busy |= step(shard);
                        if (shard.finished) {
                            nextRefresh = Instant.MIN; // its children may be listed by now
                        }
                    }
                }
                unreachable = false;
            } catch (SdkException e) {
                if (closed) {
                    return;
                }
                if (!unreachable) {
                    LOG.log(System.Logger.Level.WARNING, name + ": cannot read the stream (" + e.getClass().getSimpleName()
                            + "); trying again");
                    unreachable = true;
                }
                pause(FIRST_BACKOFF);
            }
            if (!busy) {
                pause(settings.pollInterval());
            }
        }
    }

    /** Shards present when the mapping starts begin at its starting position; later ones (children) at their start. */
    private void listShards() {
        String after = null;
        do {
            String exclusiveStart = after;
            DescribeStreamResponse response = streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(exclusiveStart));
            for (var listed : response.streamDescription().shards()) {
                shards.computeIfAbsent(listed.shardId(), id -> new StreamShard(id, listed.parentShardId(),
                        listedOnce ? ShardIteratorType.TRIM_HORIZON : settings.startingPosition()));
            }
            after = response.streamDescription().lastEvaluatedShardId();
        } while (after != null);
        listedOnce = true;
    }

    private boolean parentDone(StreamShard shard) {
        StreamShard parent = shard.parentId == null ? null : shards.get(shard.parentId);
        return parent == null || parent.finished;
    }

    /** Reads and delivers what one shard has; true when there was something to do. */
    private boolean step(StreamShard shard) {
        if (Instant.now().isBefore(shard.retryAt)) {
            return false;
        }
        boolean read = shard.buffer.size() < settings.batchSize() && shard.readable()
                && shard.read(streams, streamArn, settings.filter(), name);
        if (shard.buffer.isEmpty()) {
            shard.finished = !shard.readable();
            return read;
        }
        deliver(shard);
        return true;
    }

    private void deliver(StreamShard shard) {
        List<ObjectNode> batch = shard.buffer.stream().limit(settings.batchSize()).toList();
        int through;
        String failure = null;
        try {
            through = firstFailed(batch, function.invoke(JSON.writeValueAsBytes(DynamoDbStreamEvents.event(batch))));
            if (through < batch.size()) {
                failure = "the function reported record " + sequenceNumber(batch.get(through)) + " failed";
            }
        } catch (LambdaRuntimeApi.FunctionError e) {
            if (closed) {
                return;
            }
            through = 0;
            failure = "the invocation failed (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < through; i++) {
            shard.buffer.removeFirst();
        }
        delivered.addAndGet(through);
        if (failure == null) {
            shard.attempts = 0;
            return;
        }
        shard.attempts++;
        String range = "records " + sequenceNumber(batch.get(through)) + ".." + sequenceNumber(batch.getLast())
                + " of shard " + shard.id;
        if (shard.attempts > settings.maximumRetryAttempts()) {
            for (int i = through; i < batch.size(); i++) {
                shard.buffer.removeFirst();
            }
            shard.attempts = 0;
            LOG.log(System.Logger.Level.ERROR, name + ": " + failure + "; retries exhausted, " + range
                    + " discarded (in AWS their description goes to the on-failure destination)");
            return;
        }
        Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(shard.attempts - 1, 5));
        backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        shard.retryAt = Instant.now().plus(backoff);
        LOG.log(System.Logger.Level.WARNING, name + ": " + failure + "; " + range + " offered again in "
                + backoff.toSeconds() + " s (retry " + shard.attempts + " of " + settings.maximumRetryAttempts() + ")");
    }

    /**
     * How many records of the batch are through: the index of the first record the answer names in
     * {@code batchItemFailures}, or the batch's size when it names none. An entry without an identifier, or naming no
     * record of the batch, fails the whole batch, as Lambda treats it.
     */
    static int firstFailed(List<ObjectNode> batch, JsonNode answer) {
        JsonNode failures = answer == null ? null : answer.get("batchItemFailures");
        if (failures == null || !failures.isArray() || failures.isEmpty()) {
            return batch.size();
        }
        Set<String> named = new HashSet<>();
        for (JsonNode failure : failures) {
            JsonNode id = failure.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty()) {
                return 0;
            }
            named.add(id.asText());
        }
        for (int i = 0; i < batch.size(); i++) {
            if (named.contains(sequenceNumber(batch.get(i)))) {
                return i;
            }
        }
        return 0;
    }

    private static String sequenceNumber(JsonNode record) {
        return record.path("dynamodb").path("SequenceNumber").asText();
    }

    /** The mapping's polling interval (Lambda polls a shard about four times a second), not a wait for an outcome. */
    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
