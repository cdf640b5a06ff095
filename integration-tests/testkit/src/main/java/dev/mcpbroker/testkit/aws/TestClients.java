package dev.mcpbroker.testkit.aws;

import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** DynamoDB clients tests need besides {@link AwsEnvironment#dynamoDb()}: counted, or pointed nowhere. */
public final class TestClients {

    private TestClients() {
    }

    /** Counts the requests an SDK client sends (retries included): the round trips a piece of code costs. */
    public static final class RequestCounter implements ExecutionInterceptor {

        private final AtomicLong requests = new AtomicLong();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            requests.incrementAndGet();
        }

        public long count() {
            return requests.get();
        }

        public void reset() {
            requests.set(0);
        }
    }

    /** A client of {@code aws}'s DynamoDB that reports every request to {@code interceptor}. */
    public static DynamoDbClient dynamoDb(AwsEnvironment aws, ExecutionInterceptor interceptor) {
        return DynamoDbClient.builder()
                .endpointOverride(aws.dynamoDbEndpoint())
                .region(aws.region())
                .credentialsProvider(aws.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
                .build();
    }

    /**
     * A client that is never called: it only lets an adapter build its requests, which expression tests
     * inspect without AWS.
     */
    public static DynamoDbClient offlineDynamoDb() {
        return DynamoDbClient.builder()
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                .build();
    }

    /** A client whose every call fails at once: nothing listens on port 9 of the loopback, and it never retries. */
    public static DynamoDbClient unreachableDynamoDb(AwsEnvironment aws) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .region(aws.region())
                .credentialsProvider(aws.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }
}
