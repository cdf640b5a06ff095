package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
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
