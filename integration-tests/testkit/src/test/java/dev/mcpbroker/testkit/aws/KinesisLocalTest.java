package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Kinesis of the shared environment, driven by the real SDK client (CBOR, the SDK's default). */
class KinesisLocalTest {

    private final KinesisClient kinesis = AwsEnvironment.shared().kinesis();

    @Test
    void recordPutOnANewStreamIsReturnedByGetRecords() {
        String stream = "testkit-" + UUID.randomUUID();
        kinesis.createStream(b -> b.streamName(stream).shardCount(1));
        // The SDK's default waiter polls every 10 s; creation takes about 0.5 s here.
        kinesis.waiter().waitUntilStreamExists(b -> b.streamName(stream), wait -> wait
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50)))
                .waitTimeout(Duration.ofSeconds(30)));

        PutRecordResponse put = kinesis.putRecord(b -> b.streamName(stream).partitionKey("pk")
                .data(SdkBytes.fromUtf8String("hello")));
        String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(put.shardId())
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        GetRecordsResponse records = kinesis.getRecords(b -> b.shardIterator(iterator));

        assertThat(records.records()).singleElement().satisfies(record -> {
            assertThat(record.data().asUtf8String()).isEqualTo("hello");
            assertThat(record.sequenceNumber()).isEqualTo(put.sequenceNumber());
            assertThat(record.partitionKey()).isEqualTo("pk");
        });
    }
}
