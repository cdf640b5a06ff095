package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.SessionLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A tenant's and an agent's share of a server's sessions: one tenant cannot hold every session of an upstream. */
class SessionSharesPipelineTest {

    private final InMemoryBroker broker = new InMemoryBroker(
            new CapacitySettings(100, 5, Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(60)),
            new SessionLimits(OptionalInt.of(10), 0, OptionalInt.of(2), OptionalInt.of(1)));

    private AgentIdentity agent(String agentId, String tenant) {
        broker.policy.grant(agentId, tenant, new ServerGrant(SERVER, null));
        return new AgentIdentity(agentId, tenant, null);
    }

    private String initialize(AgentIdentity agent) {
        return broker.broker.post(new BrokerRequest(agent, SERVER, null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
                 "clientInfo":{"name":"a","version":"1"}}}""".getBytes(StandardCharsets.UTF_8))).headers().get("Mcp-Session-Id");
    }

    @Test
    void anAgentBeyondItsShareIsRefusedAtOnceWhileOthersStillOpenSessions() {
        AgentIdentity a1 = agent("a1", "t1");
        initialize(a1);
        int upstreamSessions = broker.upstream.sessionsOpened();

        BrokerException refused = failure(() -> initialize(a1));

        assertThat(refused.code()).isEqualTo(ErrorCode.SESSION_QUOTA_EXHAUSTED);
        assertThat(refused.code().httpStatus()).isEqualTo(429);
        assertThat(refused.retryAfter()).isPresent();
        assertThat(broker.upstream.sessionsOpened()).as("nothing sent upstream").isEqualTo(upstreamSessions);
        assertThat(initialize(agent("a2", "t1"))).isNotNull();
    }

    @Test
    void aTenantBeyondItsShareIsRefusedWhileOtherTenantsStillOpenSessions() {
        initialize(agent("a1", "t1"));
        initialize(agent("a2", "t1"));

        assertThat(failure(() -> initialize(agent("a3", "t1"))).code()).isEqualTo(ErrorCode.SESSION_QUOTA_EXHAUSTED);
        assertThat(initialize(agent("b1", "t2"))).isNotNull();
    }

    @Test
    void endingASessionGivesItsSharesBackAndARefusedOneLeavesNoneTaken() {
        AgentIdentity a1 = agent("a1", "t1");
        String first = initialize(a1);
        failure(() -> initialize(a1));

        broker.broker.delete(a1, SERVER, first, "2025-11-25");

        assertThat(initialize(a1)).isNotNull();
        assertThat(initialize(agent("a2", "t1"))).as("the refused attempt held no share of the tenant").isNotNull();
    }
}
