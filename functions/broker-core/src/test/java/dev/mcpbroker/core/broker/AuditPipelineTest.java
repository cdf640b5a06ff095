package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.AGENT;
import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.ServerGrant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit trail and refusals through the whole pipeline, and how failures become broker errors. */
class AuditPipelineTest {

    private final InMemoryBroker broker = new InMemoryBroker();

    @Test
    void everyUpstreamContactOfASessionIsBracketedByIntentAndOutcomeInOneIntactChain() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null);

        List<AuditEvent> chain = broker.outbox.chain(session);
        assertThat(chain).extracting(AuditEvent::kind, AuditEvent::method).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AuditEvent.Kind.INTENT, "initialize"),
                org.assertj.core.groups.Tuple.tuple(AuditEvent.Kind.OUTCOME, "initialize"),
                org.assertj.core.groups.Tuple.tuple(AuditEvent.Kind.INTENT, "tools/call"),
                org.assertj.core.groups.Tuple.tuple(AuditEvent.Kind.OUTCOME, "tools/call"));
        assertThat(chain).allSatisfy(event -> assertThat(new AuditChain().intact(event)).isTrue());
        assertThat(chain).extracting(AuditEvent::tenantId).containsOnly(InMemoryBroker.TENANT);
    }

    @Test
    void nothingStateChangingReachesTheUpstreamWhenTheIntentCannotBeRecorded() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null); // the broker has learned the tool list
        int upstreamRequests = broker.upstream.methods().size();
        broker.outbox.down(true);

        BrokerException refused = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", "key-audit-down"));

        assertThat(refused.failureClass().wireName()).isEqualTo("not_executed");
        assertThat(broker.upstream.methods()).hasSize(upstreamRequests);
        assertThat(broker.upstream.transfers()).isZero();
        broker.outbox.down(false);
        assertThat(broker.idempotency.find(scopeOf("transfer", "key-audit-down"))).as("the claim went with its intent").isEmpty();
    }

    @Test
    void aReadsAnswerIsWithheldWhenItsRecordCannotBeWritten() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null);
        broker.outbox.down(true);

        BrokerException refused = failure(() -> broker.call(session, "get_balance", "{}", null));

        assertThat(refused.code()).isEqualTo(ErrorCode.AUDIT_UNAVAILABLE);
        assertThat(refused.getMessage()).contains("withheld");
    }

    @Test
    void aReadIsRecordedAsItsIntentAndOutcomeTogetherAfterItsAnswer() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null);
        int before = broker.audit().size();

        broker.call(session, "get_balance", "{}", null);

        List<dev.mcpbroker.core.audit.AuditEvent> recorded = broker.audit().subList(before, broker.audit().size());
        assertThat(recorded).extracting(dev.mcpbroker.core.audit.AuditEvent::kind)
                .containsExactly(dev.mcpbroker.core.audit.AuditEvent.Kind.INTENT, dev.mcpbroker.core.audit.AuditEvent.Kind.OUTCOME);
        assertThat(recorded.get(1).sessionSeq()).isEqualTo(recorded.get(0).sessionSeq() + 1);
    }

    private static dev.mcpbroker.core.idempotency.IdempotencyScope scopeOf(String tool, String key) {
        return new dev.mcpbroker.core.idempotency.IdempotencyScope(InMemoryBroker.TENANT, InMemoryBroker.AGENT.agentId(),
                InMemoryBroker.AGENT.onBehalfOf(), SERVER, tool, key);
    }

    @Test
    void aRefusalIsCountedAndAuditedAsADeniedDecisionBeforeAnyUpstreamContact() {
        AgentIdentity readOnly = new AgentIdentity("agent-b", InMemoryBroker.TENANT, null);
        broker.policy.grant(readOnly.agentId(), InMemoryBroker.TENANT, new ServerGrant(SERVER, List.of("get_*")));
        String session = broker.broker.post(new BrokerRequest(readOnly, SERVER, null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
                 "clientInfo":{"name":"b","version":"1"}}}""".getBytes(StandardCharsets.UTF_8))).headers().get("Mcp-Session-Id");
        int upstreamRequests = broker.upstream.methods().size();

        BrokerException refused = failure(() -> broker.broker.post(new BrokerRequest(readOnly, SERVER, session, "2025-11-25",
                null, """
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"transfer","arguments":{}}}"""
                .getBytes(StandardCharsets.UTF_8))));

        assertThat(refused.code()).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        assertThat(refused.requestId()).hasValueSatisfying(id -> assertThat(id.asInt()).isEqualTo(7));
        assertThat(broker.upstream.methods()).hasSize(upstreamRequests);
        assertThat(broker.metrics.events()).contains("denied tool_not_allowed");
        assertThat(broker.outbox.chain(session).getLast()).satisfies(denied -> {
            assertThat(denied.kind()).isEqualTo(AuditEvent.Kind.DECISION);
            assertThat(denied.decision()).isEqualTo(AuditEvent.Decision.DENIED);
            assertThat(denied.reason()).isEqualTo("tool_not_allowed");
            assertThat(denied.tool()).isEqualTo("transfer");
        });
    }

    @Test
    void aRefusedDeleteIsCountedAndAudited() {
        BrokerException refused = failure(() -> broker.broker.delete(AGENT, SERVER, "no-such-session", "2025-11-25"));

        assertThat(refused.code()).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
        assertThat(broker.metrics.events()).contains("denied session_not_found");
        assertThat(broker.audit()).singleElement().satisfies(denied -> {
            assertThat(denied.method()).isEqualTo("DELETE");
            assertThat(denied.decision()).isEqualTo(AuditEvent.Decision.DENIED);
            assertThat(denied.reason()).isEqualTo("session_not_found");
        });
    }

    @Test
    void anEndedSessionIsRecordedInItsChainAndItsUpstreamSessionEnded() {
        String session = broker.initialize();
        String upstreamSession = broker.sessions.find(session).orElseThrow().upstreamSessionId();

        assertThat(broker.broker.delete(AGENT, SERVER, session, "2025-11-25").status()).isEqualTo(204);

        assertThat(broker.outbox.chain(session).getLast().reason()).isEqualTo("session_ended");
        assertThat(broker.upstream.terminated()).containsExactly(upstreamSession);
        assertThat(failure(() -> broker.call(session, "get_balance", "{}", null)).code()).isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    }

    @Test
    void anUnavailableStateStoreIsAnsweredStateUnavailableWithTheRequestsId() {
        String session = broker.initialize();
        broker.sessions.down(true);

        BrokerException unavailable = failure(() -> broker.call(session, "get_balance", "{}", null));

        assertThat(unavailable.code()).isEqualTo(ErrorCode.STATE_UNAVAILABLE);
        assertThat(unavailable.requestId()).isPresent();
    }

    @Test
    void aRequestWithoutBodyIsAnInvalidRequestNotATooLargeOne() {
        BrokerException empty = failure(() -> broker.broker.post(new BrokerRequest(AGENT, SERVER, null, null, null, null)));
        BrokerException zero = failure(() -> broker.broker.post(new BrokerRequest(AGENT, SERVER, null, null, null, new byte[0])));

        assertThat(List.of(empty.code(), zero.code())).containsOnly(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void aToolCallWithoutAToolNameIsRefusedAsInvalidParamsBeforeTheUpstream() {
        String session = broker.initialize();
        int upstreamRequests = broker.upstream.methods().size();

        BrokerException refused = failure(() -> broker.request(session, "tools/call", "{\"name\":42,\"arguments\":{}}"));

        assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_PARAMS);
        assertThat(broker.upstream.methods()).hasSize(upstreamRequests);
    }

    @Test
    void aMethodTheTableDoesNotKnowIsRefusedAndNeverRelayed() {
        String session = broker.initialize();

        BrokerException refused = failure(() -> broker.request(session, "vendor/extension", "{}"));

        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_METHOD);
        assertThat(refused.code().jsonRpcCode()).isEqualTo(-32601);
        assertThat(broker.upstream.methods()).doesNotContain("vendor/extension");
        assertThat(broker.outbox.chain(session).getLast().reason()).isEqualTo("unknown_method");
    }

    @Test
    void aMethodTheGrantNamesIsRelayedInItsSessionAuditedAndNeverRepeated() {
        broker.policy.grant(AGENT.agentId(), InMemoryBroker.TENANT,
                new ServerGrant(SERVER, null, null, null, List.of("vendor/extension")));
        String session = broker.initialize();

        broker.request(session, "vendor/extension", "{}");

        assertThat(broker.upstream.methods()).contains("vendor/extension");
        assertThat(broker.outbox.chain(session)).filteredOn(event -> "vendor/extension".equals(event.method()))
                .extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT, AuditEvent.Kind.OUTCOME);
        broker.upstream.loseSessions();
        assertThat(failure(() -> broker.request(session, "vendor/extension", "{}")).code())
                .isEqualTo(ErrorCode.UPSTREAM_SESSION_LOST);
    }
}
