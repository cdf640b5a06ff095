package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

/** STS of the shared environment, driven by the real SDK client. */
class StsEmulatorTest {

    private final AwsEnvironment aws = AwsEnvironment.shared();

    @Test
    void getCallerIdentityWithTheTestCredentialsReturnsTheTestAccount() {
        GetCallerIdentityResponse identity = aws.sts().getCallerIdentity();

        assertThat(identity.account()).isEqualTo(aws.accountId());
        assertThat(identity.arn()).isEqualTo("arn:aws:iam::" + aws.accountId() + ":root");
    }

    @Test
    void assumeRoleReturnsTemporaryCredentialsThatIdentifyAsTheAssumedRole() {
        String roleArn = "arn:aws:iam::" + aws.accountId() + ":role/broker-test";

        AssumeRoleResponse assumed = aws.sts().assumeRole(b -> b.roleArn(roleArn).roleSessionName("test-session").durationSeconds(900));

        Credentials credentials = assumed.credentials();
        assertThat(credentials.accessKeyId()).startsWith("ASIA");
        assertThat(credentials.secretAccessKey()).isNotBlank();
        assertThat(credentials.sessionToken()).isNotBlank();
        assertThat(credentials.expiration()).isAfter(Instant.now());
        String assumedArn = "arn:aws:sts::" + aws.accountId() + ":assumed-role/broker-test/test-session";
        assertThat(assumed.assumedRoleUser().arn()).isEqualTo(assumedArn);
        assertThat(assumed.assumedRoleUser().assumedRoleId()).endsWith(":test-session");

        try (StsClient asRole = StsClient.builder()
                .endpointOverride(aws.stsEndpoint())
                .region(aws.region())
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken())))
                .build()) {
            assertThat(asRole.getCallerIdentity().arn()).isEqualTo(assumedArn);
        }
    }

    @Test
    void assumeRoleWithASessionNameTooShortFailsValidation() {
        String roleArn = "arn:aws:iam::" + aws.accountId() + ":role/broker-test";

        assertThatThrownBy(() -> aws.sts().assumeRole(b -> b.roleArn(roleArn).roleSessionName("x")))
                .isInstanceOfSatisfying(StsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
                });
    }
}
