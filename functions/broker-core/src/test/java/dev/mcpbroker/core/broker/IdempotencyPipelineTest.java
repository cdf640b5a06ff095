package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static dev.mcpbroker.core.broker.InMemoryBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import org.junit.jupiter.api.Test;

/** State-changing tool calls through the whole pipeline: exactly once per key, replay, conflict, unknown outcomes. */
class IdempotencyPipelineTest {

    private final InMemoryBroker broker = new InMemoryBroker();

    @Test
    void aRetryWithTheSameKeyAndArgumentsIsAnsweredWithTheStoredAnswerWithoutRunningAgain() {
        String session = broker.initialize();
        ObjectNode first = broker.call(session, "transfer", "{\"amount\":5}", "key-1");
        ObjectNode retry = broker.call(session, "transfer", "{\"amount\":5}", "key-1");

        assertThat(text(first)).isEqualTo("transfer #1");
        assertThat(retry.path("result")).isEqualTo(first.path("result"));
        assertThat(retry.path("id").asInt()).as("the replay answers the retry's own id").isEqualTo(first.path("id").asInt() + 1);
        assertThat(broker.upstream.transfers()).isEqualTo(1);
        assertThat(broker.metrics.events()).contains("decision payments execute", "decision payments replay");
    }

    @Test
    void theSameKeyWithOtherArgumentsIsRefusedAsReused() {
        String session = broker.initialize();
        broker.call(session, "transfer", "{\"amount\":5}", "key-1");

        BrokerException reused = failure(() -> broker.call(session, "transfer", "{\"amount\":6}", "key-1"));

        assertThat(reused.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
        assertThat(broker.upstream.transfers()).isEqualTo(1);
    }

    @Test
    void aCallWhoseAnswerWasLostStaysUnknownAndIsNeverRunAgain() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null);
        broker.upstream.dropNextAnswerAfterActing();

        BrokerException lost = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", "key-1"));
        BrokerException retry = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", "key-1"));

        assertThat(lost.code()).isEqualTo(ErrorCode.UPSTREAM_OUTCOME_UNKNOWN);
        assertThat(lost.failureClass()).isEqualTo(FailureClass.AMBIGUOUS);
        assertThat(retry.code()).isEqualTo(ErrorCode.OUTCOME_UNKNOWN);
        assertThat(broker.upstream.transfers()).isEqualTo(1);
        assertThat(broker.request(session, "mcp-broker/outcome", "{\"tool\":\"transfer\",\"idempotencyKey\":\"key-1\"}")
                .path("result").path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(broker.metrics.events()).contains("unknown payments");
    }

    @Test
    void theOutcomeQueryAnswersACompletedCallWithItsStoredAnswerWithoutAskingTheUpstream() {
        String session = broker.initialize();
        broker.call(session, "transfer", "{\"amount\":5}", "key-1");
        int upstreamRequests = broker.upstream.methods().size();

        ObjectNode outcome = broker.request(session, "mcp-broker/outcome", "{\"tool\":\"transfer\",\"idempotencyKey\":\"key-1\"}");

        assertThat(outcome.path("result").path("status").asText()).isEqualTo("COMPLETED");
        assertThat(outcome.path("result").path("response").path("result").path("content").path(0).path("text").asText())
                .isEqualTo("transfer #1");
        assertThat(broker.upstream.methods()).hasSize(upstreamRequests);
    }

    @Test
    void aStateChangingCallWithoutKeyIsRefusedBeforeTheUpstreamIsCalled() {
        String session = broker.initialize();

        BrokerException refused = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", null));

        assertThat(refused.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REQUIRED);
        assertThat(broker.upstream.methods()).doesNotContain("tools/call");
    }

    @Test
    void anAnswerWhoseRecordCouldNotBeCompletedIsStillReturnedAndTheMissedUpdateIsCounted() {
        String session = broker.initialize();
        broker.upstream.whileExecuting(() -> broker.idempotency.down(true));

        ObjectNode answer = broker.call(session, "transfer", "{\"amount\":5}", "key-1");

        assertThat(text(answer)).isEqualTo("transfer #1");
        assertThat(broker.metrics.events()).contains("notUpdated payments completed_not_recorded");
    }

    @Test
    void anEmptyKeyHeaderLeavesTheKeyInMetaToTheGuardAndTheAuditTrailAlike() {
        String session = broker.initialize();
        String call = """
                {"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"transfer","arguments":{"amount":5},
                 "_meta":{"dev.mcpbroker/idempotencyKey":"key-meta"}}}""";

        broker.post(session, "", call);
        broker.post(session, "", call);

        assertThat(broker.upstream.transfers()).as("the second is a replay under the same key").isEqualTo(1);
        assertThat(broker.audit()).filteredOn(event -> "tools/call".equals(event.method()))
                .extracting(AuditEvent::idempotencyKey).containsOnly("key-meta");
    }

    @Test
    void aMalformedKeyIsRefusedAndNeverRecordedInTheAuditTrail() {
        String session = broker.initialize();
        String malformed = "key with spaces";

        BrokerException refused = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", malformed));

        assertThat(refused.code()).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_INVALID);
        assertThat(broker.audit()).filteredOn(event -> "tools/call".equals(event.method()))
                .singleElement().satisfies(denied -> {
                    assertThat(denied.reason()).isEqualTo("idempotency_key_invalid");
                    assertThat(denied.idempotencyKey()).isNull();
                });
        assertThat(broker.upstream.methods()).doesNotContain("tools/call");
    }
}
