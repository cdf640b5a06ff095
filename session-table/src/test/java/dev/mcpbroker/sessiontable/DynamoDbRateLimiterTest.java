package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.contract.RateLimiterContract;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.RateLimiter;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The limiter against a real DynamoDB: the port's contract, and the requests it sends, counted. */
class DynamoDbRateLimiterTest extends RateLimiterContract {

    private static final String TABLE = "rate-limit-test";
    private static final TestClients.RequestCounter ROUND_TRIPS = new TestClients.RequestCounter();
    private static AwsEnvironment aws;
    private static DynamoDbClient counted;

    private final String key = "agent:" + UUID.randomUUID();

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        counted = TestClients.dynamoDb(aws, ROUND_TRIPS);
    }

    @AfterAll
    static void closeClient() {
        counted.close();
    }

    @BeforeEach
    void resetCount() {
        ROUND_TRIPS.reset();
    }

    @Override
    protected RateLimiter newLimiter() {
        return brokerInstance();
    }

    private static DynamoDbRateLimiter brokerInstance() {
        return new DynamoDbRateLimiter(counted, TABLE);
    }

    @Test
    void oneWriteAdmitsAndADenialCostsNoRequestAtAll() {
        DynamoDbRateLimiter limiter = brokerInstance();
        RateLimit limit = new RateLimit(1, 5);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(key, limit, T0);
        }
        assertThat(ROUND_TRIPS.count()).as("five admissions by the only writer").isEqualTo(5);
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire(key, limit, T0)).isPresent();
        }
        assertThat(ROUND_TRIPS.count()).as("denials from the remembered state").isEqualTo(5);
    }

    @Test
    void aSecondInstanceSeesTheFirstOnesAdmissionsAtTheCostOfOneExtraRequest() {
        DynamoDbRateLimiter first = brokerInstance();
        DynamoDbRateLimiter second = brokerInstance();
        RateLimit limit = new RateLimit(1, 4);
        assertThat(first.tryAcquire(key, limit, T0)).isEmpty();
        assertThat(first.tryAcquire(key, limit, T0)).isEmpty();
        assertThat(first.tryAcquire(key, limit, T0)).isEmpty();
        ROUND_TRIPS.reset();

        assertThat(second.tryAcquire(key, limit, T0)).isEmpty();
        assertThat(ROUND_TRIPS.count()).as("create refused, then advance").isEqualTo(2);
        ROUND_TRIPS.reset();

        assertThat(first.tryAcquire(key, limit, T0)).as("the bucket is empty; first learns it from its failed write").isPresent();
        assertThat(ROUND_TRIPS.count()).isEqualTo(1);
        assertThat(second.tryAcquire(key, limit, T0)).isPresent();
        assertThat(first.tryAcquire(key, limit, T0)).isPresent();
        assertThat(ROUND_TRIPS.count()).isEqualTo(1);
    }

    @Test
    void bucketItemCarriesTatVersionAndExpiry() {
        brokerInstance().tryAcquire(key, new RateLimit(4, 2), T0);
        Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(TABLE)
                .key(DynamoDbRateLimiter.key(key)).consistentRead(true)).item();
        long t0Micros = T0.getEpochSecond() * 1_000_000;
        assertThat(item.get("tat").n()).isEqualTo(Long.toString(t0Micros + 250_000));
        assertThat(item.get("version").n()).isEqualTo("1");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0.getEpochSecond() + 1 + 60));
    }

    @Test
    void twoInstancesWithFourThreadsEachAdmitExactlyTheBurst() throws Exception {
        RateLimit limit = new RateLimit(0.001, 10);
        List<DynamoDbRateLimiter> instances = List.of(brokerInstance(), brokerInstance());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                DynamoDbRateLimiter limiter = instances.get(t % 2);
                threads.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int i = 0; i < 20; i++) {
                        // Real time passes, but at one request per 1000 s it refills nothing.
                        admitted += limiter.tryAcquire(key, limit, Instant.now()).isEmpty() ? 1 : 0;
                    }
                    return admitted;
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<Integer> thread : threads) {
                admitted += thread.get();
            }
            assertThat(admitted).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }
}
