package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwsEnvironmentTest {

    @Test
    void childEnvironmentCarriesRegionCredentialsAndEveryEndpoint() {
        AwsEnvironment aws = AwsEnvironment.shared();

        assertThat(aws.childEnvironment())
                .containsEntry("AWS_REGION", "us-east-1")
                .containsEntry("AWS_ACCESS_KEY_ID", aws.accountId())
                .containsKey("AWS_SECRET_ACCESS_KEY")
                .containsEntry("BROKER_AWS_DYNAMODB_ENDPOINT", aws.dynamoDbEndpoint().toString())
                .containsEntry("BROKER_AWS_KINESIS_ENDPOINT", aws.kinesisEndpoint().toString())
                .containsEntry("BROKER_AWS_SECRETSMANAGER_ENDPOINT", aws.secretsManagerEndpoint().toString())
                .containsEntry("BROKER_AWS_STS_ENDPOINT", aws.stsEndpoint().toString());
        assertThat(aws.accountId()).matches("\\d{12}");
    }

    @Test
    void sharedEnvironmentIsOnePerJvmAndSurvivesItsUsersClosingIt() {
        AwsEnvironment aws = AwsEnvironment.shared();

        aws.close();

        assertThat(AwsEnvironment.shared()).isSameAs(aws);
        assertThat(aws.dynamoDb().listTables().tableNames()).isNotNull();
    }

    @Test
    void anotherAccountsKinesisStreamsAreItsOwnButReachableByArn() {
        AwsEnvironment aws = AwsEnvironment.shared();
        String audit = "111111111111";
        String stream = "other-account-" + java.util.UUID.randomUUID();
        try (var auditKinesis = software.amazon.awssdk.services.kinesis.KinesisClient.builder().region(aws.region())
                .credentialsProvider(aws.credentials(audit)).endpointOverride(aws.kinesisEndpoint())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            auditKinesis.createStream(b -> b.streamName(stream).shardCount(1));
            auditKinesis.waiter().waitUntilStreamExists(b -> b.streamName(stream), wait -> wait
                    .backoffStrategyV2(software.amazon.awssdk.retries.api.BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(50)))
                    .waitTimeout(Duration.ofSeconds(30)));

            assertThat(aws.kinesis().listStreams().streamNames()).doesNotContain(stream);
            // a cross-account producer names the stream by its ARN, as the audit forwarder does
            aws.kinesis().putRecord(b -> b.streamARN("arn:aws:kinesis:" + aws.region().id() + ":" + audit + ":stream/" + stream)
                    .partitionKey("k").data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("{}")));
            String shard = auditKinesis.listShards(b -> b.streamName(stream)).shards().getFirst().shardId();
            String iterator = auditKinesis.getShardIterator(b -> b.streamName(stream).shardId(shard)
                    .shardIteratorType("TRIM_HORIZON")).shardIterator();
            assertThat(auditKinesis.getRecords(b -> b.shardIterator(iterator)).records()).hasSize(1);
        }
        assertThatThrownBy(() -> aws.credentials("audit")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emulatorPortsAreFiveConsecutiveOnesFromTheFirst() {
        assertThat(EmulatorPorts.from(8791)).isEqualTo(new EmulatorPorts(8791, 8792, 8793, 8794, 8795));
        assertThat(EmulatorPorts.from(8791).fixed()).containsEntry("DynamoDB", 8791).containsEntry("STS", 8795).hasSize(5);
        assertThat(EmulatorPorts.ANY.fixed()).isEmpty();
        assertThatThrownBy(() -> EmulatorPorts.from(65_533)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsEndpointsButNoSecret() {
        AwsEnvironment aws = AwsEnvironment.shared();

        assertThat(aws.toString()).contains(aws.dynamoDbEndpoint().toString()).doesNotContain("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void unknownOverrideIsRejectedWithTheAcceptedValues() {
        var settings = settings(Optional.of("moto"), Path.of("/nonexistent"));

        assertThatThrownBy(() -> AwsEnvironmentFactory.start(settings, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("localstack").hasMessageContaining("emulators");
    }

    @Test
    void dockerIsUnavailableWithoutAnyDockerEndpointAndTestcontainersIsNotAsked(@TempDir Path home) {
        // Only meaningful on a machine without a Docker socket, like the build machine this was written on.
        assumeFalse(Files.exists(Path.of("/var/run/docker.sock")));
        long begin = System.nanoTime();

        assertThat(AwsEnvironmentFactory.dockerAvailable(settings(Optional.empty(), home))).isFalse();
        assertThat((System.nanoTime() - begin) / 1_000_000).as("milliseconds").isLessThan(1000);
    }

    private static AwsEnvironmentFactory.Settings settings(Optional<String> override, Path home) {
        return new AwsEnvironmentFactory.Settings(override, Optional.empty(), Optional.empty(), Optional.empty(), home, false);
    }
}
