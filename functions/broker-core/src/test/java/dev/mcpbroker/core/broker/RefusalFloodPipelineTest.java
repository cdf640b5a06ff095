package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.TENANT;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A flood of refused requests cannot be turned against the state table: what it writes is bounded. */
class RefusalFloodPipelineTest {

    private static final String HUGE = "x".repeat(60_000);

    private final InMemoryBroker broker = new InMemoryBroker();

    private ErrorCode refusalOf(AgentIdentity agent, String server, String session, String json) {
        return failure(() -> broker.broker.post(new BrokerRequest(agent, server, session, "2025-11-25", null,
                json.getBytes(StandardCharsets.UTF_8)))).code();
    }

    @Test
    void identitiesAndServersTheBrokerDoesNotKnowAreCountedNeverChained() {
        AgentIdentity stranger = new AgentIdentity("stranger-" + HUGE.substring(0, 5_000), null, null);
        for (int i = 0; i < 1_000; i++) {
            assertThat(refusalOf(stranger, SERVER, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + HUGE + "\"}"))
                    .isEqualTo(ErrorCode.AGENT_NOT_ALLOWED);
            assertThat(refusalOf(InMemoryBroker.AGENT, "no-such-server-" + i, null,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")).isEqualTo(ErrorCode.UNKNOWN_SERVER);
        }

        assertThat(broker.audit()).isEmpty();
        assertThat(broker.metrics.events()).filteredOn(event -> event.startsWith("denied ")).hasSize(2_000);
    }

    @Test
    void refusalsOfAnAllowlistedAgentWithMaximalFieldsWriteBoundedEvents() {
        String session = broker.initialize();
        int before = broker.audit().size();
        String call = """
                {"jsonrpc":"2.0","id":"%s","method":"tools/call","params":{"name":"%s","arguments":{"a":"%s"},
                 "_meta":{"dev.mcpbroker/idempotencyKey":"%s"}}}""".formatted(HUGE, HUGE, HUGE, HUGE);
        broker.policy.grant(InMemoryBroker.AGENT.agentId(), TENANT, new ServerGrant(SERVER, List.of("get_balance")));

        for (int i = 0; i < 200; i++) {
            assertThat(refusalOf(InMemoryBroker.AGENT, SERVER, session, call)).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        }

        List<AuditEvent> denials = broker.audit().subList(before, broker.audit().size());
        AuditEventCodec codec = new AuditEventCodec();
        assertThat(denials).hasSize(200).allSatisfy(event -> {
            assertThat(codec.encode(event).length).as("an event's size, whatever the request carried").isLessThan(2_000);
            assertThat(event.tool()).hasSizeLessThanOrEqualTo(AuditBracket.MAX_CHOSEN_FIELD);
            assertThat(event.correlationId()).hasSizeLessThanOrEqualTo(AuditBracket.MAX_CHOSEN_FIELD);
            assertThat(event.idempotencyKey()).as("a malformed key is never recorded").isNull();
        });
    }

    @Test
    void refusalsOfAnAllowlistedAgentCountAgainstItsRateLimit() {
        broker.policy.grant("limited", TENANT, new ServerGrant(SERVER, List.of("get_balance")))
                .agentRate("limited", new RateLimit(0.001, 3));
        AgentIdentity limited = new AgentIdentity("limited", TENANT, null);
        String transfer = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\"}}";

        List<ErrorCode> refusals = java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> refusalOf(limited, SERVER, "not-a-session", transfer)).toList();

        assertThat(refusals).containsExactly(ErrorCode.SESSION_NOT_FOUND, ErrorCode.SESSION_NOT_FOUND,
                ErrorCode.SESSION_NOT_FOUND, ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED);
        assertThat(refusalOf(limited, "no-such-server", null, transfer)).as("unknown servers too")
                .isEqualTo(ErrorCode.RATE_LIMITED);
    }
}
