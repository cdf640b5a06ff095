package dev.mcpbroker.sessiontable.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.contract.AuditedIdempotencyStoreContract;
import dev.mcpbroker.core.idempotency.AuditedIdempotencyStore;
import dev.mcpbroker.core.idempotency.IdempotencyRecord;
import dev.mcpbroker.core.idempotency.IdempotencyScope;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The one-transaction store against a real DynamoDB, records and outbox in tables of their own (a transaction spans
 * both): the contract, and the round trips it exists for.
 */
class DynamoDbAuditedIdempotencyStoreTest extends AuditedIdempotencyStoreContract {

    private static final String RECORDS = "audited-idempotency-test";
    private static final String OUTBOX = "audited-idempotency-outbox-test";
    private static final AtomicInteger ROUND_TRIPS = new AtomicInteger();
    private static DynamoDbClient counted;
    private static DynamoDbAuditOutbox outbox;
    private static AuditedIdempotencyStore store;

    @BeforeAll
    static void tables() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), RECORDS);
        SessionTableSetup.ensureTable(aws.dynamoDb(), OUTBOX);
        counted = TestClients.dynamoDb(aws, new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                ROUND_TRIPS.incrementAndGet();
            }
        });
        outbox = new DynamoDbAuditOutbox(counted, OUTBOX);
        store = new DynamoDbIdempotencyStore(counted, RECORDS).audited(outbox);
    }

    @AfterAll
    static void closeClient() {
        counted.close();
    }

    @Override
    protected Stores newStores() {
        return new Stores(store, outbox);
    }

    @Test
    void aClaimWithItsIntentAndACompletionWithItsOutcomeTakeOneRoundTripEach() {
        IdempotencyScope scope = new IdempotencyScope("tenant-1", "agent-a", "payments", "transfer", "key-" + UUID.randomUUID());
        String session = "session-" + UUID.randomUUID();
        Instant now = Instant.now();

        ROUND_TRIPS.set(0);
        IdempotencyRecord claim = store.claim(scope, "fp-1", now, Duration.ofSeconds(30), Duration.ofHours(1),
                event(AuditEvent.Kind.INTENT, session, now));
        assertThat(ROUND_TRIPS.get()).isEqualTo(1);

        ROUND_TRIPS.set(0);
        store.complete(claim, "{\"content\":[]}", now, event(AuditEvent.Kind.OUTCOME, session, now));
        assertThat(ROUND_TRIPS.get()).isEqualTo(1);
    }

    private static AuditEvent event(AuditEvent.Kind kind, String session, Instant at) {
        AuditEvent.Builder builder = AuditEvent.builder(kind).eventId(UUID.randomUUID().toString()).time(at)
                .agentId("agent-a").tenantId("tenant-1").sessionId(session).serverId("payments").method("tools/call")
                .tool("transfer");
        return kind == AuditEvent.Kind.OUTCOME ? builder.outcomeClass(AuditEvent.OutcomeClass.OK).build() : builder.build();
    }
}
