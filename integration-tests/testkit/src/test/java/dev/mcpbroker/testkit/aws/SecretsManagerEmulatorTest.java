package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;

/** Secrets Manager of the shared environment, driven by the real SDK client. */
class SecretsManagerEmulatorTest {

    private final AwsEnvironment aws = AwsEnvironment.shared();
    private final SecretsManagerClient secrets = aws.secretsManager();

    private static String uniqueName(String prefix) {
        return prefix + "/" + UUID.randomUUID();
    }

    @Test
    void createdSecretIsReadBackByNameWithAnArnThatEndsInSixRandomCharacters() {
        String name = uniqueName("create");
        CreateSecretResponse created = secrets.createSecret(b -> b.name(name).secretString("s3cr3t").description("a test secret"));

        GetSecretValueResponse value = secrets.getSecretValue(b -> b.secretId(name));

        assertThat(created.arn()).matches("arn:aws:secretsmanager:us-east-1:" + aws.accountId() + ":secret:"
                + Pattern.quote(name) + "-[A-Za-z0-9]{6}");
        assertThat(value.secretString()).isEqualTo("s3cr3t");
        assertThat(value.arn()).isEqualTo(created.arn());
        assertThat(value.versionId()).isEqualTo(created.versionId());
        assertThat(value.versionStages()).containsExactly("AWSCURRENT");
        assertThat(value.createdDate()).isNotNull();
    }

    @Test
    void getSecretValueOfUnknownSecretThrowsResourceNotFound() {
        assertThatThrownBy(() -> secrets.getSecretValue(b -> b.secretId(uniqueName("missing"))))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("can't find the specified secret");
    }

    @Test
    void createSecretWithATakenNameThrowsResourceExists() {
        String name = uniqueName("taken");
        secrets.createSecret(b -> b.name(name).secretString("one"));

        assertThatThrownBy(() -> secrets.createSecret(b -> b.name(name).secretString("two")))
                .isInstanceOf(ResourceExistsException.class);
    }

    @Test
    void createSecretRetriedWithTheSameClientRequestTokenIsAnsweredLikeTheFirstCall() {
        String name = uniqueName("idempotent");
        String token = UUID.randomUUID().toString();
        CreateSecretResponse first = secrets.createSecret(b -> b.name(name).secretString("v").clientRequestToken(token));

        CreateSecretResponse retry = secrets.createSecret(b -> b.name(name).secretString("v").clientRequestToken(token));

        assertThat(retry.arn()).isEqualTo(first.arn());
        assertThat(retry.versionId()).isEqualTo(token);
    }

    @Test
    void putSecretValueMakesTheNewValueCurrentAndTheFormerCurrentPrevious() {
        String name = uniqueName("rotate");
        CreateSecretResponse created = secrets.createSecret(b -> b.name(name).secretString("first"));

        PutSecretValueResponse put = secrets.putSecretValue(b -> b.secretId(name).secretString("second"));
        secrets.putSecretValue(b -> b.secretId(name).secretString("third"));

        assertThat(put.versionStages()).containsExactly("AWSCURRENT");
        assertThat(secrets.getSecretValue(b -> b.secretId(name)).secretString()).isEqualTo("third");
        GetSecretValueResponse previous = secrets.getSecretValue(b -> b.secretId(name).versionStage("AWSPREVIOUS"));
        assertThat(previous.secretString()).isEqualTo("second");
        assertThat(previous.versionId()).isEqualTo(put.versionId());
        // a version without labels stays readable by its id
        assertThat(secrets.getSecretValue(b -> b.secretId(name).versionId(created.versionId())).secretString()).isEqualTo("first");
        assertThat(secrets.describeSecret(b -> b.secretId(name)).versionIdsToStages())
                .hasSize(2)
                .containsEntry(put.versionId(), List.of("AWSPREVIOUS"));
    }

    @Test
    void getSecretValueByFullArnReturnsTheSecret() {
        String name = uniqueName("by-arn");
        String arn = secrets.createSecret(b -> b.name(name).secretString("value")).arn();

        assertThat(secrets.getSecretValue(b -> b.secretId(arn)).name()).isEqualTo(name);
    }

    @Test
    void getSecretValueWithAStageTheSecretDoesNotHaveThrowsResourceNotFound() {
        String name = uniqueName("no-previous");
        secrets.createSecret(b -> b.name(name).secretString("only"));

        assertThatThrownBy(() -> secrets.getSecretValue(b -> b.secretId(name).versionStage("AWSPREVIOUS")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void secretBinaryIsReturnedByteForByte() {
        String name = uniqueName("binary");
        byte[] bytes = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
        secrets.createSecret(b -> b.name(name).secretBinary(SdkBytes.fromByteArray(bytes)));

        GetSecretValueResponse value = secrets.getSecretValue(b -> b.secretId(name));

        assertThat(value.secretBinary().asByteArray()).isEqualTo(bytes);
        assertThat(value.secretString()).isNull();
    }

    @Test
    void createSecretWithBothStringAndBinaryThrowsInvalidParameter() {
        assertThatThrownBy(() -> secrets.createSecret(b -> b.name(uniqueName("both"))
                .secretString("s").secretBinary(SdkBytes.fromUtf8String("b"))))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void updateSecretChangesDescriptionAndAddsACurrentVersion() {
        String name = uniqueName("update");
        secrets.createSecret(b -> b.name(name).secretString("old").description("before"));

        String versionId = secrets.updateSecret(b -> b.secretId(name).description("after").secretString("new")).versionId();

        DescribeSecretResponse described = secrets.describeSecret(b -> b.secretId(name));
        assertThat(described.description()).isEqualTo("after");
        assertThat(described.versionIdsToStages()).containsEntry(versionId, List.of("AWSCURRENT"));
        assertThat(secrets.getSecretValue(b -> b.secretId(name)).secretString()).isEqualTo("new");
    }

    @Test
    void listSecretsWithANamePrefixFilterReturnsOnlyMatchingSecrets() {
        String prefix = uniqueName("list");
        secrets.createSecret(b -> b.name(prefix + "/a").secretString("a"));
        secrets.createSecret(b -> b.name(prefix + "/b").secretString("b"));
        secrets.createSecret(b -> b.name(uniqueName("other")).secretString("c"));

        var names = secrets.listSecretsPaginator(b -> b.maxResults(1)
                        .filters(Filter.builder().key(FilterNameStringType.NAME).values(prefix).build()))
                .stream().flatMap(page -> page.secretList().stream()).map(SecretListEntry::name).toList();

        assertThat(names).containsExactlyInAnyOrder(prefix + "/a", prefix + "/b");
    }

    @Test
    void deletedSecretWithARecoveryWindowRefusesReadsUntilRestored() {
        String name = uniqueName("recoverable");
        secrets.createSecret(b -> b.name(name).secretString("v"));

        secrets.deleteSecret(b -> b.secretId(name).recoveryWindowInDays(7L));

        assertThatThrownBy(() -> secrets.getSecretValue(b -> b.secretId(name))).isInstanceOf(InvalidRequestException.class);
        assertThat(secrets.describeSecret(b -> b.secretId(name)).deletedDate()).isNotNull();
        assertThatThrownBy(() -> secrets.createSecret(b -> b.name(name).secretString("again")))
                .isInstanceOf(InvalidRequestException.class);

        secrets.restoreSecret(b -> b.secretId(name));
        assertThat(secrets.getSecretValue(b -> b.secretId(name)).secretString()).isEqualTo("v");
    }

    @Test
    void deleteSecretWithoutRecoveryRemovesItAtOnce() {
        String name = uniqueName("forced");
        secrets.createSecret(b -> b.name(name).secretString("v"));

        secrets.deleteSecret(b -> b.secretId(name).forceDeleteWithoutRecovery(true));

        assertThatThrownBy(() -> secrets.describeSecret(b -> b.secretId(name))).isInstanceOf(ResourceNotFoundException.class);
        secrets.createSecret(b -> b.name(name).secretString("reborn"));
        assertThat(secrets.getSecretValue(b -> b.secretId(name)).secretString()).isEqualTo("reborn");
    }

    @Test
    void deleteSecretWithBothForceAndRecoveryWindowThrowsInvalidParameter() {
        String name = uniqueName("both-delete-options");
        secrets.createSecret(b -> b.name(name).secretString("v"));

        assertThatThrownBy(() -> secrets.deleteSecret(b -> b.secretId(name).forceDeleteWithoutRecovery(true).recoveryWindowInDays(7L)))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void unsignedRequestIsRefused() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(aws.secretsManagerEndpoint() + "/"))
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "secretsmanager.ListSecrets")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isBetween(400, 403);
        assertThat(response.body()).contains("MissingAuthenticationToken");
    }
}
