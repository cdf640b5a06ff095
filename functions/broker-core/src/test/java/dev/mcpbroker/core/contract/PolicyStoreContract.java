package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.PolicyStore;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PolicyStore} shows: the grants, agent rate limits and tenant rate limits an administrator wrote,
 * exactly as written, and nothing for agents or tenants never written. The store is read-only; the administrator's
 * writes are the subclass's hooks, made the way that adapter's administrator makes them. Ids are random per test.
 */
public abstract class PolicyStoreContract {

    private final String agent = "agent-" + UUID.randomUUID();
    private final String tenant = "tenant-" + UUID.randomUUID();

    /** The store under test, reading what the hooks below wrote. */
    protected abstract PolicyStore store();

    /** Adds or replaces the agent's grant of one server, creating the agent under {@code tenantId} if it has none. */
    protected abstract void grant(String agentId, String tenantId, ServerGrant grant);

    /** Removes the agent's grant of one server. */
    protected abstract void revoke(String agentId, String serverId);

    /** Gives a granted agent its own rate limit. */
    protected abstract void setAgentRate(String agentId, RateLimit limit);

    /** Sets the limit a tenant's agents share. */
    protected abstract void setTenantRate(String tenantId, RateLimit limit);

    @Test
    void anAgentNeverGrantedAnythingIsUnknown() {
        assertThat(store().agent(agent)).isEmpty();
    }

    @Test
    void aGrantedAgentIsFoundWithItsTenantAndGrantAndNoRateOfItsOwn() {
        grant(agent, tenant, new ServerGrant("payments", List.of("get_*", "transfer")));

        AgentGrant found = store().agent(agent).orElseThrow();

        assertThat(found).isEqualTo(new AgentGrant(agent, tenant,
                Map.of("payments", new ServerGrant("payments", List.of("get_*", "transfer"))), null));
        assertThat(found.rate()).isEmpty();
    }

    @Test
    void grantsOfSeveralServersAccumulateAndAGrantAgainReplacesThatServersGrant() {
        grant(agent, tenant, new ServerGrant("payments", List.of("get_*")));
        grant(agent, tenant, new ServerGrant("docs.v2", null));
        grant(agent, tenant, new ServerGrant("payments", List.of("get_*", "refund")));

        assertThat(store().agent(agent)).contains(new AgentGrant(agent, tenant, Map.of(
                "payments", new ServerGrant("payments", List.of("get_*", "refund")),
                "docs.v2", new ServerGrant("docs.v2", null)), null));
    }

    @Test
    void aGrantOfEveryToolStaysApartFromAGrantOfNoTool() {
        grant(agent, tenant, new ServerGrant("everything", null));
        grant(agent, tenant, new ServerGrant("nothing", List.of()));

        AgentGrant found = store().agent(agent).orElseThrow();

        assertThat(found.server("everything").orElseThrow().toolRules()).isEmpty();
        assertThat(found.server("everything").orElseThrow().allowsTool("anything")).isTrue();
        assertThat(found.server("nothing").orElseThrow().toolRules()).contains(List.of());
        assertThat(found.server("nothing").orElseThrow().allowsTool("anything")).isFalse();
    }

    @Test
    void resourcePromptAndMethodRulesAreFoundAsGrantedAndAbsentOnesGrantNothing() {
        ServerGrant full = new ServerGrant("docs", List.of("search"), List.of("file:///public/*", "file:///docs/{name}"),
                List.of("greeting", "help_*"), List.of("x-acme/reindex"));
        grant(agent, tenant, full);
        grant(agent, tenant, new ServerGrant("payments", null));

        AgentGrant found = store().agent(agent).orElseThrow();

        assertThat(found.server("docs")).contains(full);
        ServerGrant toolsOnly = found.server("payments").orElseThrow();
        assertThat(toolsOnly.resources()).isNull();
        assertThat(toolsOnly.allowsResource("file:///public/readme")).isFalse();
        assertThat(toolsOnly.allowsPrompt("greeting")).isFalse();
        assertThat(toolsOnly.allowsMethod("x-acme/reindex")).isFalse();
    }

    @Test
    void toolRulesKeepTheirOrder() {
        List<String> rules = List.of("zeta", "alpha_*", "mid", "alpha_exact");
        grant(agent, tenant, new ServerGrant("payments", rules));

        assertThat(store().agent(agent).orElseThrow().server("payments").orElseThrow().tools()).containsExactlyElementsOf(rules);
    }

    @Test
    void aRevokedGrantIsGoneAndTheAgentsOtherGrantsStay() {
        grant(agent, tenant, new ServerGrant("payments", null));
        grant(agent, tenant, new ServerGrant("docs", List.of("read")));

        revoke(agent, "payments");

        assertThat(store().agent(agent)).contains(new AgentGrant(agent, tenant,
                Map.of("docs", new ServerGrant("docs", List.of("read"))), null));
    }

    @Test
    void anAgentWhoseLastGrantWasRevokedIsKnownWithoutServers() {
        grant(agent, tenant, new ServerGrant("payments", null));

        revoke(agent, "payments");

        assertThat(store().agent(agent)).contains(new AgentGrant(agent, tenant, Map.of(), null));
    }

    @Test
    void anAgentsOwnRateLimitIsFoundWithItsGrants() {
        grant(agent, tenant, new ServerGrant("payments", null));

        setAgentRate(agent, new RateLimit(2.5, 7));

        assertThat(store().agent(agent)).contains(new AgentGrant(agent, tenant,
                Map.of("payments", new ServerGrant("payments", null)), new RateLimit(2.5, 7)));
    }

    @Test
    void agentsAreFoundApart() {
        String other = "agent-" + UUID.randomUUID();
        grant(agent, tenant, new ServerGrant("payments", null));
        grant(other, tenant, new ServerGrant("docs", null));
        setAgentRate(other, new RateLimit(1, 1));

        assertThat(store().agent(agent).orElseThrow().servers()).containsOnlyKeys("payments");
        assertThat(store().agent(agent).orElseThrow().rate()).isEmpty();
        assertThat(store().agent(other).orElseThrow().servers()).containsOnlyKeys("docs");
    }

    @Test
    void aTenantWithoutALimitOfItsOwnHasNone() {
        assertThat(store().tenantRateLimit(tenant)).isEmpty();
    }

    @Test
    void aTenantsRateLimitIsFoundAndTheLatestOneWins() {
        setTenantRate(tenant, new RateLimit(100, 200));
        assertThat(store().tenantRateLimit(tenant)).contains(new RateLimit(100, 200));

        setTenantRate(tenant, new RateLimit(0.5, 3));

        assertThat(store().tenantRateLimit(tenant)).contains(new RateLimit(0.5, 3));
    }

    @Test
    void aTenantsLimitIsNeitherItsAgentsLimitNorAnotherTenants() {
        grant(agent, tenant, new ServerGrant("payments", null));

        setTenantRate(tenant, new RateLimit(100, 200));

        assertThat(store().agent(agent).orElseThrow().rate()).isEmpty();
        assertThat(store().tenantRateLimit("tenant-" + UUID.randomUUID())).isEmpty();
    }
}
