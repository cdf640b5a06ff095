package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/** Failure paths no real table produces on demand: endless contention and an unreachable store. */
class DynamoDbRateLimiterContentionTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

    /** A client whose every PutItem is answered by {@code answer}. */
    private static DynamoDbClient answering(Function<PutItemRequest, PutItemResponse> answer) {
        return new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                return answer.apply(request);
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void boundedLossesToOtherWritersEndInADenialNotAnError() {
        AtomicInteger writes = new AtomicInteger();
        // Every attempt loses to a writer that advanced the bucket by one request, leaving tokens to take.
        DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(answering(request -> {
            int n = writes.incrementAndGet();
            throw ConditionalCheckFailedException.builder()
                    .item(Map.of("tat", AttributeValue.fromN(Long.toString(DynamoDbRateLimiter.epochMicros(NOW) + n)),
                            "version", AttributeValue.fromN(Integer.toString(n))))
                    .build();
        }), "state");

        RateLimit limit = new RateLimit(1, 100);
        assertThat(limiter.tryAcquire("k", limit, NOW)).contains(Duration.ofSeconds(1));
        assertThat(writes).hasValue(DynamoDbRateLimiter.MAX_ATTEMPTS);
    }

    @Test
    void anyOtherFailureIsStoreUnavailable() {
        DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(answering(request -> {
            throw SdkClientException.create("connection refused");
        }), "state");
        assertThatThrownBy(() -> limiter.tryAcquire("k", new RateLimit(1, 1), NOW))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void aBucketThatIsNotOneIsStoreUnavailable() {
        DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(answering(request -> {
            throw ConditionalCheckFailedException.builder().item(Map.of("tat", AttributeValue.fromS("soon"))).build();
        }), "state");
        assertThatThrownBy(() -> limiter.tryAcquire("k", new RateLimit(1, 1), NOW))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void absurdlySlowRatesSaturateInsteadOfWrapping() {
        AtomicInteger writes = new AtomicInteger();
        DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(answering(request -> {
            writes.incrementAndGet();
            return PutItemResponse.builder().build();
        }), "state");
        RateLimit glacial = new RateLimit(1e-15, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("k", glacial, NOW)).isEmpty();
        }
        assertThat(limiter.tryAcquire("k", glacial, NOW)).hasValueSatisfying(wait -> assertThat(wait).isPositive());
        assertThat(limiter.tryAcquire("k", glacial, NOW.plus(Duration.ofDays(365)))).isPresent();
        assertThat(writes).hasValue(3);
    }
}
