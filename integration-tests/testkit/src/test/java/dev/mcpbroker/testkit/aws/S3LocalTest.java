package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** S3 of the shared environment (the audit archive's stand-in), driven by the real SDK client. */
class S3LocalTest {

    private final S3Client s3 = AwsEnvironment.shared().s3();

    @Test
    void objectsPutUnderAPrefixAreListedInKeyOrderAndReadBackByteForByte() {
        String bucket = "testkit-" + UUID.randomUUID();
        s3.createBucket(b -> b.bucket(bucket));
        byte[] binary = {0x1f, (byte) 0x8b, 0, 1, 2, (byte) 0xff};
        s3.putObject(b -> b.bucket(bucket).key("audit/2030/01/02/b"), RequestBody.fromBytes(binary));
        s3.putObject(b -> b.bucket(bucket).key("audit/2030/01/01/a"), RequestBody.fromString("{\"a\":1}\n"));
        s3.putObject(b -> b.bucket(bucket).key("errors/x"), RequestBody.fromString("not listed"));

        assertThat(s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("audit/").maxKeys(1)).contents())
                .extracting(S3Object::key).containsExactly("audit/2030/01/01/a", "audit/2030/01/02/b");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("audit/2030/01/02/b")).asByteArray()).isEqualTo(binary);
    }

    @Test
    void aRequestWithAnUnknownAccessKeyIsRefused() {
        AwsEnvironment aws = AwsEnvironment.shared();
        try (S3Client stranger = S3Client.builder().region(aws.region()).endpointOverride(aws.s3Endpoint()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTRANGER", "test")))
                .build()) {
            assertThatThrownBy(stranger::listBuckets).isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
        }
    }
}
