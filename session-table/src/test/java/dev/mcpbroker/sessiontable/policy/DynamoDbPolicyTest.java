package dev.mcpbroker.sessiontable.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The admin writes against a real DynamoDB, and what only these adapters do (malformed items, an unreachable table).
 * What the read adapters show is held to the ports' contracts in {@link DynamoDbPolicyStoreContractTest} and
 * {@link DynamoDbUpstreamRegistryContractTest}.
 */
class DynamoDbPolicyTest {

    private static final String TABLE = "policy-test";
    private static final URI URL = URI.create("https://payments.internal.example/mcp");
    private static final UpstreamAuth BEARER = new UpstreamAuth(UpstreamAuth.Scheme.BEARER, "arn:aws:secretsmanager:eu-west-1:1:secret:pay", null);
    private static AwsEnvironment aws;
    private static PolicyAdmin admin;
    private static DynamoDbPolicyStore store;
    private static DynamoDbUpstreamRegistry registry;

    private final String id = UUID.randomUUID().toString();

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        PolicyTable.ensureTable(aws.dynamoDb(), TABLE);
        admin = new PolicyAdmin(aws.dynamoDb(), TABLE);
        store = new DynamoDbPolicyStore(aws.dynamoDb(), TABLE);
        registry = new DynamoDbUpstreamRegistry(aws.dynamoDb(), TABLE);
    }

    private UpstreamServer registered(String serverId) {
        admin.registerServer(serverId, URL, BEARER, Duration.ofSeconds(2), Duration.ofSeconds(30));
        return registry.find(serverId).orElseThrow();
    }

    @Test
    void killSwitchesApplyAndReRegistrationKeepsThem() {
        String serverId = "pay-" + id;
        registered(serverId);
        admin.killServer(serverId);
        admin.killTool(serverId, "refund");
        admin.killTool(serverId, "delete_account");
        admin.killTool(serverId, "refund");
        assertThat(registry.find(serverId).orElseThrow().controls())
                .isEqualTo(new ServerControls(true, Set.of("refund", "delete_account")));

        UpstreamAuth header = new UpstreamAuth(UpstreamAuth.Scheme.HEADER, "arn:other", "X-Api-Key");
        admin.registerServer(serverId, URI.create("https://moved.example/mcp"), header, Duration.ofSeconds(1), Duration.ofSeconds(5));
        UpstreamServer moved = registry.find(serverId).orElseThrow();
        assertThat(moved.endpoint()).isEqualTo(URI.create("https://moved.example/mcp"));
        assertThat(moved.auth()).isEqualTo(header);
        assertThat(moved.controls()).isEqualTo(new ServerControls(true, Set.of("refund", "delete_account")));

        admin.reviveServer(serverId);
        admin.reviveTool(serverId, "refund");
        admin.reviveTool(serverId, "delete_account");
        assertThat(registry.find(serverId).orElseThrow().controls()).isEqualTo(ServerControls.NONE);
    }

    @Test
    void reRegistrationDropsCredentialsTheNewAuthDoesNotUse() {
        String serverId = "pay-" + id;
        admin.registerServer(serverId, URL, new UpstreamAuth(UpstreamAuth.Scheme.HEADER, "arn:h", "X-Key"),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        admin.registerServer(serverId, URL, UpstreamAuth.NONE, Duration.ofSeconds(1), Duration.ofSeconds(1));
        Map<String, AttributeValue> item = aws.dynamoDb().getItem(b -> b.tableName(TABLE)
                .key(PolicyItems.serverKey(serverId)).consistentRead(true)).item();
        assertThat(item).doesNotContainKeys("secretId", "headerName");
        assertThat(registry.find(serverId).orElseThrow().auth()).isEqualTo(UpstreamAuth.NONE);
    }

    @Test
    void secretIdCanBeRotated() {
        String serverId = "pay-" + id;
        registered(serverId);
        admin.setSecretId(serverId, "arn:rotated");
        assertThat(registry.find(serverId).orElseThrow().auth())
                .isEqualTo(new UpstreamAuth(UpstreamAuth.Scheme.BEARER, "arn:rotated", null));
    }

    @Test
    void changesToAnUnknownServerFailWithoutCreatingIt() {
        String serverId = "ghost-" + id;
        assertThatThrownBy(() -> admin.killServer(serverId)).isInstanceOfSatisfying(
                PolicyAdminException.UnknownServerException.class, e -> assertThat(e.serverId()).isEqualTo(serverId));
        assertThatThrownBy(() -> admin.reviveServer(serverId)).isInstanceOf(PolicyAdminException.UnknownServerException.class);
        assertThatThrownBy(() -> admin.killTool(serverId, "x")).isInstanceOf(PolicyAdminException.UnknownServerException.class);
        assertThatThrownBy(() -> admin.reviveTool(serverId, "x")).isInstanceOf(PolicyAdminException.UnknownServerException.class);
        assertThatThrownBy(() -> admin.setSecretId(serverId, "arn:x")).isInstanceOf(PolicyAdminException.UnknownServerException.class);
        assertThat(registry.find(serverId)).isEmpty();
    }

    @Test
    void grantUnderAnotherTenantIsRefusedAndChangesNothing() {
        String agentId = "agent-" + id;
        admin.grant(agentId, "acme", new ServerGrant("payments", null));
        assertThatThrownBy(() -> admin.grant(agentId, "globex", new ServerGrant("docs", null)))
                .isInstanceOfSatisfying(PolicyAdminException.TenantConflictException.class, e -> {
                    assertThat(e.currentTenantId()).isEqualTo("acme");
                    assertThat(e.requestedTenantId()).isEqualTo("globex");
                });
        assertThat(store.agent(agentId).orElseThrow())
                .isEqualTo(new AgentGrant(agentId, "acme", Map.of("payments", new ServerGrant("payments", null)), null));
    }

    @Test
    void concurrentFirstGrantsOfOneAgentAllLand() throws Exception {
        String agentId = "agent-" + id;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> grants = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String serverId = "server-" + i;
                grants.add(pool.submit(() -> {
                    start.await();
                    admin.grant(agentId, "acme", new ServerGrant(serverId, null));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> grant : grants) {
                grant.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.agent(agentId).orElseThrow().servers()).hasSize(8);
    }

    @Test
    void revokeRemovesOneGrantAndSaysWhetherThereWasOne() {
        String agentId = "agent-" + id;
        admin.grant(agentId, "acme", new ServerGrant("payments", null));
        admin.grant(agentId, "acme", new ServerGrant("docs", null));
        assertThat(admin.revoke(agentId, "payments")).isTrue();
        assertThat(admin.revoke(agentId, "payments")).isFalse();
        AgentGrant agent = store.agent(agentId).orElseThrow();
        assertThat(agent.server("payments")).isEmpty();
        assertThat(agent.server("docs")).isPresent();
        assertThat(admin.revoke(agentId, "docs")).isTrue();
        assertThat(store.agent(agentId).orElseThrow().servers()).isEmpty();
        assertThatThrownBy(() -> admin.revoke("ghost-" + id, "docs"))
                .isInstanceOf(PolicyAdminException.UnknownAgentException.class);
    }

    @Test
    void agentAndTenantRatesRoundTrip() {
        String agentId = "agent-" + id;
        String tenantId = "tenant-" + id;
        admin.grant(agentId, tenantId, new ServerGrant("payments", null));
        assertThat(store.agent(agentId).orElseThrow().rate()).isEmpty();
        admin.setAgentRate(agentId, new RateLimit(2.5, 7));
        assertThat(store.agent(agentId).orElseThrow().rate()).contains(new RateLimit(2.5, 7));
        admin.clearAgentRate(agentId);
        assertThat(store.agent(agentId).orElseThrow().rate()).isEmpty();
        assertThatThrownBy(() -> admin.setAgentRate("ghost-" + id, new RateLimit(1, 1)))
                .isInstanceOf(PolicyAdminException.UnknownAgentException.class);
        assertThat(store.agent("ghost-" + id)).isEmpty();

        assertThat(store.tenantRateLimit(tenantId)).isEmpty();
        admin.setTenantRate(tenantId, new RateLimit(100, 200));
        assertThat(store.tenantRateLimit(tenantId)).contains(new RateLimit(100, 200));
        admin.setTenantRate(tenantId, new RateLimit(50, 60));
        assertThat(store.tenantRateLimit(tenantId)).contains(new RateLimit(50, 60));
        assertThat(admin.listTenantRates()).containsEntry(tenantId, new RateLimit(50, 60));
        admin.clearTenantRate(tenantId);
        assertThat(store.tenantRateLimit(tenantId)).isEmpty();
    }

    @Test
    void listsShowServersAndGrants() {
        UpstreamServer server = registered("listed-" + id);
        admin.killTool(server.id(), "refund");
        String agentId = "listed-" + id;
        admin.grant(agentId, "acme", new ServerGrant(server.id(), List.of("get_*")));
        assertThat(admin.listServers()).filteredOn(s -> s.id().equals(server.id()))
                .singleElement().satisfies(s -> assertThat(s.controls().killedTools()).containsExactly("refund"));
        assertThat(admin.listGrants()).filteredOn(g -> g.agentId().equals(agentId))
                .singleElement().satisfies(g -> assertThat(g.tenantId()).isEqualTo("acme"));
        assertThat(admin.listServers()).extracting(UpstreamServer::id).isSorted();
    }

    @Test
    void malformedItemsAreUnavailableNotPermissive() {
        // A table of its own: a malformed item also fails the admin listings, by design.
        String brokenTable = "policy-test-malformed";
        PolicyTable.ensureTable(aws.dynamoDb(), brokenTable);
        DynamoDbUpstreamRegistry registry = new DynamoDbUpstreamRegistry(aws.dynamoDb(), brokenTable);
        DynamoDbPolicyStore store = new DynamoDbPolicyStore(aws.dynamoDb(), brokenTable);
        String serverId = "broken-" + id;
        aws.dynamoDb().putItem(b -> b.tableName(brokenTable).item(Map.of(
                "pk", AttributeValue.fromS("server#" + serverId), "sk", AttributeValue.fromS("registry"),
                "url", AttributeValue.fromS("https://h/mcp"), "authScheme", AttributeValue.fromS("BEARER"),
                "connectTimeoutMs", AttributeValue.fromN("1"), "requestTimeoutMs", AttributeValue.fromN("1"))));
        assertThatThrownBy(() -> registry.find(serverId)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageNotContaining("https://h/mcp");

        String agentId = "broken-" + id;
        aws.dynamoDb().putItem(b -> b.tableName(brokenTable).item(Map.of(
                "pk", AttributeValue.fromS("agent#" + agentId), "sk", AttributeValue.fromS("grant"),
                "tenantId", AttributeValue.fromS("acme"), "ratePerSecond", AttributeValue.fromN("5"))));
        assertThatThrownBy(() -> store.agent(agentId)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> new PolicyAdmin(aws.dynamoDb(), brokenTable).listServers())
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("server#" + serverId);
    }

    @Test
    void unreachableTableSurfacesAsStoreUnavailable() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        assertThatThrownBy(() -> new DynamoDbPolicyStore(nowhere, TABLE).agent("a")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> new DynamoDbPolicyStore(nowhere, TABLE).tenantRateLimit("t")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> new DynamoDbUpstreamRegistry(nowhere, TABLE).find("s")).isInstanceOf(StoreUnavailableException.class);
        PolicyAdmin unreachable = new PolicyAdmin(nowhere, TABLE);
        assertThatThrownBy(() -> unreachable.killServer("s")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.grant("a", "t", new ServerGrant("s", null))).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(unreachable::listGrants).isInstanceOf(StoreUnavailableException.class);
    }
}
