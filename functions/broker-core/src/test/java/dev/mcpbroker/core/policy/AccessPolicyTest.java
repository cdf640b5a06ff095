package dev.mcpbroker.core.policy;

import dev.mcpbroker.core.upstream.ServerControls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.MutableClock;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

    /** The allowlist as an administrator left it; the DynamoDB adapter is tested on its own. */
    private final Map<String, AgentGrant> allowlist = new HashMap<>();
    private final PolicyStore store = new PolicyStore() {
        @Override
        public Optional<AgentGrant> agent(String agentId) {
            return Optional.ofNullable(allowlist.get(agentId));
        }

        @Override
        public Optional<RateLimit> tenantRateLimit(String tenantId) {
            return Optional.empty();
        }
    };
    private final MutableClock clock = new MutableClock();
    private final AccessPolicy policy = new AccessPolicy(store, Duration.ofSeconds(30), clock);

    private static UpstreamServer server(String id, ServerControls controls) {
        return new UpstreamServer(id, URI.create("http://127.0.0.1:1/mcp"), Duration.ofSeconds(1), Duration.ofSeconds(1),
                UpstreamAuth.NONE, controls);
    }

    private static final UpstreamServer PAYMENTS = server("payments", ServerControls.NONE);
    private static final AgentIdentity AGENT = new AgentIdentity("agent-a", "t1", "alice");

    private void grant(String agent, String tenant, ServerGrant... servers) {
        Map<String, ServerGrant> byId = new HashMap<>();
        for (ServerGrant s : servers) {
            byId.put(s.serverId(), s);
        }
        allowlist.put(agent, new AgentGrant(agent, tenant, byId, null));
    }

    private static ErrorCode denial(Runnable action) {
        try {
            action.run();
        } catch (BrokerException e) {
            return e.code();
        }
        throw new AssertionError("not denied");
    }

    @Test
    void agentWithoutAllowlistEntryIsDenied() {
        assertThat(denial(() -> policy.admit(AGENT, PAYMENTS))).isEqualTo(ErrorCode.AGENT_NOT_ALLOWED);
    }

    @Test
    void serverNotGrantedIsDeniedAndGrantedServerYieldsTheAllowlistTenant() {
        grant("agent-a", "t1", new ServerGrant("search", null));
        assertThat(denial(() -> policy.admit(AGENT, PAYMENTS))).isEqualTo(ErrorCode.SERVER_NOT_ALLOWED);
        grant("agent-a", "t1", new ServerGrant("payments", null));
        clock.advance(Duration.ofSeconds(31));
        assertThat(policy.admit(new AgentIdentity("agent-a", null, null), PAYMENTS).tenantId()).isEqualTo("t1");
    }

    @Test
    void tokenNamingAnotherTenantIsDenied() {
        grant("agent-a", "t1", new ServerGrant("payments", null));
        assertThat(denial(() -> policy.admit(new AgentIdentity("agent-a", "t2", null), PAYMENTS)))
                .isEqualTo(ErrorCode.TENANT_MISMATCH);
    }

    @Test
    void killedServerIsDeniedEvenWhenGranted() {
        grant("agent-a", "t1", new ServerGrant("payments", null));
        assertThat(denial(() -> policy.admit(AGENT, server("payments", new ServerControls(true, Set.of())))))
                .isEqualTo(ErrorCode.SERVER_KILLED);
    }

    @Test
    void toolRulesMatchExactNamesAndPrefixes() {
        grant("agent-a", "t1", new ServerGrant("payments", List.of("get_balance", "list_*")));
        policy.checkToolCall(AGENT, PAYMENTS, "get_balance");
        policy.checkToolCall(AGENT, PAYMENTS, "list_transfers");
        assertThat(denial(() -> policy.checkToolCall(AGENT, PAYMENTS, "transfer"))).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
        assertThat(denial(() -> policy.checkToolCall(AGENT, PAYMENTS, "get_balance_x"))).isEqualTo(ErrorCode.TOOL_NOT_ALLOWED);
    }

    @Test
    void killedToolIsDeniedEvenWhenGranted() {
        grant("agent-a", "t1", new ServerGrant("payments", null));
        UpstreamServer killed = server("payments", new ServerControls(false, Set.of("transfer")));
        assertThat(denial(() -> policy.checkToolCall(AGENT, killed, "transfer"))).isEqualTo(ErrorCode.TOOL_KILLED);
        policy.checkToolCall(AGENT, killed, "get_balance");
    }

    @Test
    void toolListKeepsOnlyAllowedLiveTools() throws Exception {
        grant("agent-a", "t1", new ServerGrant("payments", List.of("get_*", "transfer")));
        ObjectNode response = (ObjectNode) new ObjectMapper().readTree("""
                {"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"get_balance"},{"name":"transfer"},
                 {"name":"list_transfers"},{"name":"get_env"}]}}""");
        policy.filterToolList(AGENT, server("payments", new ServerControls(false, Set.of("get_env"))), response);
        assertThat(response.path("result").path("tools").findValuesAsText("name")).containsExactly("get_balance", "transfer");
    }

    @Test
    void revokedGrantTakesEffectOnlyAfterTheCacheTtl() {
        grant("agent-a", "t1", new ServerGrant("payments", null));
        policy.admit(AGENT, PAYMENTS);
        allowlist.remove("agent-a");
        clock.advance(Duration.ofSeconds(29));
        policy.admit(AGENT, PAYMENTS);
        clock.advance(Duration.ofSeconds(2));
        assertThat(denial(() -> policy.admit(AGENT, PAYMENTS))).isEqualTo(ErrorCode.AGENT_NOT_ALLOWED);
    }
}
