package dev.mcpbroker.testkit.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The fixed identity every local environment uses. The access key id is the account id because DynamoDB Local
 * keeps one database per access key + region, kinesis-local and LocalStack pick the account from a 12-digit access
 * key: with this choice all of them agree on one account.
 */
final class TestCredentials {

    static final Region REGION = Region.US_EAST_1;
    static final String ACCOUNT_ID = "000000000000";
    static final String ACCESS_KEY_ID = ACCOUNT_ID;
    /** A well-known placeholder, accepted by every emulator; never a real secret. */
    static final String SECRET_ACCESS_KEY = "test";

    static final AwsCredentialsProvider PROVIDER =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY));

    /** The credentials of {@code accountId} (12 digits), by the same convention. */
    static AwsCredentialsProvider of(String accountId) {
        if (!accountId.matches("\\d{12}")) {
            throw new IllegalArgumentException("an account id has 12 digits: " + accountId);
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accountId, SECRET_ACCESS_KEY));
    }

    private TestCredentials() {
    }
}
