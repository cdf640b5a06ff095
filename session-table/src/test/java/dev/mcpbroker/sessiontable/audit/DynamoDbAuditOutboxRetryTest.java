package dev.mcpbroker.sessiontable.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/** How a cancelled append is retried, on answers no real table produces on demand. */
class DynamoDbAuditOutboxRetryTest {

    private static final AuditChain CHAIN = new AuditChain();
    private static final CancellationReason NONE = CancellationReason.builder().code("None").build();

    private final List<TransactWriteItemsRequest> sent = new ArrayList<>();

    /** An outbox whose every TransactWriteItems is answered by {@code answer} (called with the attempt number, from 1). */
    private DynamoDbAuditOutbox answering(Function<Integer, TransactWriteItemsResponse> answer) {
        return new DynamoDbAuditOutbox(new DynamoDbClient() {
            @Override
            public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
                sent.add(request);
                return answer.apply(sent.size());
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        }, "state");
    }

    private static AuditEvent event() {
        return event("e-1");
    }

    private static AuditEvent event(String eventId) {
        return AuditEvent.builder(AuditEvent.Kind.DECISION).eventId(eventId).time(Instant.ofEpochSecond(1_700_000_000))
                .sessionId("s-1").method("tools/list").build();
    }

    private static TransactionCanceledException cancelled(CancellationReason head, CancellationReason event) {
        return TransactionCanceledException.builder().message("Transaction cancelled").cancellationReasons(head, event).build();
    }

    private static CancellationReason conditionFailed(Map<String, AttributeValue> item) {
        return CancellationReason.builder().code("ConditionalCheckFailed").item(item).build();
    }

    private static Map<String, AttributeValue> head(long seq, String hash) {
        return Map.of("pk", AttributeValue.fromS("audit#s-1"), "sk", AttributeValue.fromS("head"),
                "seq", AttributeValue.fromN(Long.toString(seq)), "hash", AttributeValue.fromS(hash));
    }

    private Update headUpdate(int attempt) {
        return sent.get(attempt - 1).transactItems().get(0).update();
    }

    @Test
    void aLostRaceIsRetriedAtOnceOnTheHeadTheCancellationReturned() {
        String hash41 = "4".repeat(64);
        AuditEvent appended = answering(attempt -> {
            if (attempt == 1) {
                throw cancelled(conditionFailed(head(41, hash41)), NONE);
            }
            return TransactWriteItemsResponse.builder().build();
        }).append(event());

        assertThat(sent).hasSize(2);
        assertThat(headUpdate(1).conditionExpression()).as("first believed the chain empty").isEqualTo("attribute_not_exists(#pk)");
        assertThat(headUpdate(2).expressionAttributeValues()).containsEntry(":expectedSeq", AttributeValue.fromN("41"));
        assertThat(appended.sessionSeq()).isEqualTo(42);
        assertThat(appended.previousHash()).isEqualTo(hash41);
        assertThat(CHAIN.intact(appended)).isTrue();
    }

    @Test
    void theNextAppendOfTheInstanceChainsOnWhatItLastWroteWithoutAnyRead() {
        DynamoDbAuditOutbox outbox = answering(attempt -> TransactWriteItemsResponse.builder().build());
        AuditEvent first = outbox.append(event());
        AuditEvent second = outbox.append(event("e-2"));
        assertThat(sent).hasSize(2);
        assertThat(second.sessionSeq()).isEqualTo(2);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(headUpdate(2).expressionAttributeValues()).containsEntry(":expectedSeq", AttributeValue.fromN("1"));
    }

    @Test
    void conflictsAreRetriedOnTheSameHeadAndEndInStoreUnavailableAfterTheBound() {
        CancellationReason conflict = CancellationReason.builder().code("TransactionConflict").build();
        DynamoDbAuditOutbox outbox = answering(attempt -> {
            throw cancelled(conflict, NONE);
        });
        assertThatThrownBy(() -> outbox.append(event())).isInstanceOf(StoreUnavailableException.class);
        assertThat(sent).hasSize(DynamoDbAuditOutbox.MAX_ATTEMPTS);
        assertThat(sent).allSatisfy(r -> assertThat(r.transactItems().get(0).update().conditionExpression())
                .isEqualTo("attribute_not_exists(#pk)"));
    }

    @Test
    void endlessLossesToOtherWritersEndInStoreUnavailableAfterTheBound() {
        DynamoDbAuditOutbox outbox = answering(attempt -> {
            throw cancelled(conditionFailed(head(attempt, "a".repeat(64))), NONE);
        });
        assertThatThrownBy(() -> outbox.append(event())).isInstanceOf(StoreUnavailableException.class);
        assertThat(sent).hasSize(DynamoDbAuditOutbox.MAX_ATTEMPTS);
    }

    @Test
    void aLostHeadResumesTheChainAfterTheStoredEventInsteadOfForkingIt() {
        AuditEvent stored = CHAIN.link(event("old"), 5, "5".repeat(64));
        DynamoDbAuditOutbox outbox = answering(attempt -> {
            if (attempt == 1) {
                // No head item (its condition held), but event #1... is still there; DynamoDB returns one slot's item.
                throw cancelled(NONE, conditionFailed(outboxItem(stored)));
            }
            return TransactWriteItemsResponse.builder().build();
        });
        AuditEvent appended = outbox.append(event());
        assertThat(appended.sessionSeq()).isEqualTo(6);
        assertThat(appended.previousHash()).isEqualTo(stored.hash());
        assertThat(headUpdate(2).conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
    }

    @Test
    void aTakenSlotUnderAnExistingHeadIsRefusedNotPapered() {
        String hash = "b".repeat(64);
        AuditEvent stored = CHAIN.link(event("old"), 3, hash);
        DynamoDbAuditOutbox outbox = answering(attempt -> {
            if (attempt == 1) {
                throw cancelled(conditionFailed(head(2, hash)), NONE);
            }
            throw cancelled(NONE, conditionFailed(outboxItem(stored)));
        });
        assertThatThrownBy(() -> outbox.append(event())).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("behind");
    }

    @Test
    void aHeadThatIsNotOneIsStoreUnavailable() {
        DynamoDbAuditOutbox outbox = answering(attempt -> {
            throw cancelled(conditionFailed(Map.of("seq", AttributeValue.fromS("many"))), NONE);
        });
        assertThatThrownBy(() -> outbox.append(event())).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void otherCancellationsAndFailuresAreStoreUnavailableAtOnce() {
        CancellationReason invalid = CancellationReason.builder().code("ValidationError").build();
        assertThatThrownBy(() -> answering(attempt -> {
            throw cancelled(invalid, NONE);
        }).append(event())).isInstanceOf(StoreUnavailableException.class);
        assertThat(sent).hasSize(1);

        sent.clear();
        assertThatThrownBy(() -> answering(attempt -> {
            throw SdkClientException.create("connection refused");
        }).append(event())).isInstanceOf(StoreUnavailableException.class);
        assertThat(sent).hasSize(1);
    }

    @Test
    void aChainedEventIsRefused() {
        DynamoDbAuditOutbox outbox = answering(attempt -> TransactWriteItemsResponse.builder().build());
        assertThatThrownBy(() -> outbox.append(CHAIN.first(event()))).isInstanceOf(IllegalArgumentException.class);
        assertThat(sent).isEmpty();
    }

    private static Map<String, AttributeValue> outboxItem(AuditEvent chained) {
        return new DynamoDbAuditOutbox(new DynamoDbClient() {
            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        }, "state").eventItem(chained, Instant.ofEpochSecond(1_800_000_000));
    }
}
