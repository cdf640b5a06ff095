package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Pins every expression written to or read from the policy table: a change here changes what concurrent
 * administrators can do to the allowlist, so it must be a deliberate change to this test too.
 */
class PolicyExpressionsTest {

    private static final DynamoDbClient OFFLINE = TestClients.offlineDynamoDb();
    private final PolicyAdmin admin = new PolicyAdmin(OFFLINE, "policy",
            Clock.fixed(Instant.ofEpochMilli(1_700_000_000_123L), ZoneOffset.UTC));

    private static final Map<String, String> REGISTER_NAMES = Map.of(
            "#url", "url", "#authScheme", "authScheme", "#connectTimeoutMs", "connectTimeoutMs",
            "#requestTimeoutMs", "requestTimeoutMs", "#updatedAt", "updatedAt", "#killed", "killed",
            "#secretId", "secretId", "#headerName", "headerName");

    @Test
    void tableHasAStringHashAndRangeKeyAndPaysPerRequest() {
        CreateTableRequest request = PolicyTable.createTableRequest("policy");
        assertThat(request.billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
        assertThat(request.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                .containsExactly("pk:" + KeyType.HASH, "sk:" + KeyType.RANGE);
        assertThat(request.attributeDefinitions()).extracting(d -> d.attributeName() + ":" + d.attributeTypeAsString())
                .containsExactlyInAnyOrder("pk:S", "sk:S");
    }

    @Test
    void registerIsAnUpsertThatKeepsKillSwitchesAndSetsTheCredentialsItUses() {
        UpdateItemRequest request = admin.requests().registerRequest("payments", URI.create("https://pay.example/mcp"),
                new UpstreamAuth(UpstreamAuth.Scheme.HEADER, "arn:secret", "X-Api-Key"),
                Duration.ofSeconds(2), Duration.ofSeconds(30));
        assertThat(request.conditionExpression()).isNull();
        assertThat(request.updateExpression()).isEqualTo("SET #url = :url, #authScheme = :authScheme, "
                + "#connectTimeoutMs = :connectTimeoutMs, #requestTimeoutMs = :requestTimeoutMs, "
                + "#updatedAt = :updatedAt, #killed = if_not_exists(#killed, :notKilled), "
                + "#secretId = :secretId, #headerName = :headerName");
        assertThat(request.expressionAttributeNames()).isEqualTo(REGISTER_NAMES);
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("server#payments"), "sk", AttributeValue.fromS("registry")));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(
                ":url", AttributeValue.fromS("https://pay.example/mcp"),
                ":authScheme", AttributeValue.fromS("HEADER"),
                ":connectTimeoutMs", AttributeValue.fromN("2000"),
                ":requestTimeoutMs", AttributeValue.fromN("30000"),
                ":updatedAt", AttributeValue.fromN("1700000000123"),
                ":notKilled", AttributeValue.fromBool(false),
                ":secretId", AttributeValue.fromS("arn:secret"),
                ":headerName", AttributeValue.fromS("X-Api-Key")));
    }

    @Test
    void registerRemovesCredentialsTheNewAuthDoesNotUse() {
        UpdateItemRequest bearer = admin.requests().registerRequest("s", URI.create("http://h/mcp"),
                new UpstreamAuth(UpstreamAuth.Scheme.BEARER, "arn:s", null), Duration.ofMillis(1), Duration.ofMillis(1));
        assertThat(bearer.updateExpression()).endsWith(", #secretId = :secretId REMOVE #headerName");
        assertThat(bearer.expressionAttributeValues()).containsKey(":secretId").doesNotContainKey(":headerName");

        UpdateItemRequest none = admin.requests().registerRequest("s", URI.create("http://h/mcp"),
                UpstreamAuth.NONE, Duration.ofMillis(1), Duration.ofMillis(1));
        assertThat(none.updateExpression()).endsWith("if_not_exists(#killed, :notKilled) REMOVE #secretId, #headerName");
        assertThat(none.expressionAttributeNames()).isEqualTo(REGISTER_NAMES);
        assertThat(none.expressionAttributeValues()).doesNotContainKeys(":secretId", ":headerName");

        assertThat(PolicyExpressions.registerUpdate(false, true))
                .endsWith("if_not_exists(#killed, :notKilled), #headerName = :headerName REMOVE #secretId");
    }

    @Test
    void registerRefusesRelativeOrNonHttpUrlsAndNonPositiveTimeouts() {
        assertThatThrownBy(() -> admin.requests().registerRequest("s", URI.create("/mcp"), UpstreamAuth.NONE,
                Duration.ofSeconds(1), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.requests().registerRequest("s", URI.create("file:///etc/passwd"), UpstreamAuth.NONE,
                Duration.ofSeconds(1), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> admin.requests().registerRequest("s", URI.create("https://h/"), UpstreamAuth.NONE,
                Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverChangesRequireTheServerToExist() {
        UpdateItemRequest kill = admin.requests().serverUpdateRequest("payments", PolicyExpressions.KILL_UPDATE,
                PolicyExpressions.KILL_NAMES, Map.of(":killed", AttributeValue.fromBool(true)));
        assertThat(kill.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(kill.updateExpression()).isEqualTo("SET #killed = :killed, #updatedAt = :updatedAt");
        assertThat(kill.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#killed", "killed", "#updatedAt", "updatedAt"));
        assertThat(kill.expressionAttributeValues()).isEqualTo(Map.of(
                ":killed", AttributeValue.fromBool(true), ":updatedAt", AttributeValue.fromN("1700000000123")));
        assertThat(kill.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);

        assertThat(PolicyExpressions.SET_SECRET_UPDATE).isEqualTo("SET #secretId = :secretId, #updatedAt = :updatedAt");
        assertThat(PolicyExpressions.SET_SECRET_NAMES).isEqualTo(Map.of("#pk", "pk", "#secretId", "secretId", "#updatedAt", "updatedAt"));
    }

    @Test
    void toolKillSwitchesAddToAndDeleteFromAStringSet() {
        assertThat(PolicyExpressions.KILL_TOOL_UPDATE).isEqualTo("SET #updatedAt = :updatedAt ADD #killedTools :tools");
        assertThat(PolicyExpressions.REVIVE_TOOL_UPDATE).isEqualTo("SET #updatedAt = :updatedAt DELETE #killedTools :tools");
        assertThat(PolicyExpressions.TOOL_NAMES).isEqualTo(Map.of("#pk", "pk", "#killedTools", "killedTools", "#updatedAt", "updatedAt"));
        UpdateItemRequest request = admin.requests().serverUpdateRequest("s", PolicyExpressions.KILL_TOOL_UPDATE,
                PolicyExpressions.TOOL_NAMES, Map.of(":tools", AttributeValue.fromSs(List.of("refund"))));
        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(request.expressionAttributeValues().get(":tools").ss()).containsExactly("refund");
    }

    @Test
    void resourceAndPromptKillSwitchesAddToAndDeleteFromTheirOwnStringSets() {
        assertThat(PolicyExpressions.SWITCH_OFF_UPDATE).isEqualTo("SET #updatedAt = :updatedAt ADD #switchedOff :names");
        assertThat(PolicyExpressions.SWITCH_ON_UPDATE).isEqualTo("SET #updatedAt = :updatedAt DELETE #switchedOff :names");
        assertThat(PolicyExpressions.switchNames("killedResources"))
                .isEqualTo(Map.of("#pk", "pk", "#switchedOff", "killedResources", "#updatedAt", "updatedAt"));
        UpdateItemRequest request = admin.requests().serverUpdateRequest("s", PolicyExpressions.SWITCH_OFF_UPDATE,
                PolicyExpressions.switchNames("killedPrompts"), Map.of(":names", AttributeValue.fromSs(List.of("p"))));
        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#pk)");
    }

    @Test
    void sessionSharesAreSetOrRemovedOneAttributeAtATime() {
        assertThat(PolicyExpressions.SET_SHARE_UPDATE).isEqualTo("SET #share = :share, #updatedAt = :updatedAt");
        assertThat(PolicyExpressions.CLEAR_SHARE_UPDATE).isEqualTo("SET #updatedAt = :updatedAt REMOVE #share");
        assertThat(PolicyExpressions.shareNames("maxSessionsPerTenant"))
                .isEqualTo(Map.of("#pk", "pk", "#share", "maxSessionsPerTenant", "#updatedAt", "updatedAt"));
    }

    @Test
    void aDeclaredGenerationIsSetOrRemovedOnARegisteredServerOnly() {
        assertThat(PolicyExpressions.SET_GENERATION_UPDATE).isEqualTo("SET #generation = :generation, #updatedAt = :updatedAt");
        assertThat(PolicyExpressions.CLEAR_GENERATION_UPDATE).isEqualTo("SET #updatedAt = :updatedAt REMOVE #generation");
        assertThat(PolicyExpressions.GENERATION_NAMES)
                .isEqualTo(Map.of("#pk", "pk", "#generation", "protocolGeneration", "#updatedAt", "updatedAt"));
        UpdateItemRequest request = admin.requests().serverUpdateRequest("s", PolicyExpressions.SET_GENERATION_UPDATE,
                PolicyExpressions.GENERATION_NAMES, Map.of(":generation", AttributeValue.fromS("stateless")));
        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#pk)");
    }

    @Test
    void grantUpdatesOneServerOfAnAgentOfTheSameTenantOnly() {
        UpdateItemRequest request = admin.requests().grantRequest("agent-1", "acme", new ServerGrant("pay.v2", List.of("get_*", "refund")));
        assertThat(request.conditionExpression()).isEqualTo("#tenantId = :tenantId");
        assertThat(request.updateExpression()).isEqualTo("SET #servers.#serverId = :grant");
        assertThat(request.expressionAttributeNames())
                .isEqualTo(Map.of("#tenantId", "tenantId", "#servers", "servers", "#serverId", "pay.v2"));
        assertThat(request.expressionAttributeValues()).isEqualTo(Map.of(
                ":tenantId", AttributeValue.fromS("acme"),
                ":grant", AttributeValue.fromM(Map.of("tools",
                        AttributeValue.fromL(List.of(AttributeValue.fromS("get_*"), AttributeValue.fromS("refund")))))));
        assertThat(request.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("agent#agent-1"), "sk", AttributeValue.fromS("grant")));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void grantOfEveryToolStoresNoToolList() {
        assertThat(admin.requests().grantRequest("a", "t", new ServerGrant("s", null)).expressionAttributeValues().get(":grant"))
                .isEqualTo(AttributeValue.fromM(Map.of()));
    }

    @Test
    void firstGrantCreatesTheAgentButNeverOverwritesOne() {
        PutItemRequest request = admin.requests().createAgentRequest("agent-1", "acme", new ServerGrant("pay", null));
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item()).isEqualTo(Map.of(
                "pk", AttributeValue.fromS("agent#agent-1"),
                "sk", AttributeValue.fromS("grant"),
                "tenantId", AttributeValue.fromS("acme"),
                "servers", AttributeValue.fromM(Map.of("pay", AttributeValue.fromM(Map.of())))));
    }

    @Test
    void revokeRemovesAGrantThatExists() {
        UpdateItemRequest request = admin.requests().revokeRequest("agent-1", "pay");
        assertThat(request.conditionExpression()).isEqualTo("attribute_exists(#servers.#serverId)");
        assertThat(request.updateExpression()).isEqualTo("REMOVE #servers.#serverId");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#servers", "servers", "#serverId", "pay"));
        assertThat(request.hasExpressionAttributeValues()).isFalse();
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void agentRatesChangeOnlyExistingAgents() {
        UpdateItemRequest set = admin.requests().agentUpdateRequest("a", PolicyExpressions.AGENT_RATE_UPDATE,
                PolicyItems.rateValues(new dev.mcpbroker.core.policy.RateLimit(2.5, 7)));
        assertThat(set.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(set.updateExpression()).isEqualTo("SET #ratePerSecond = :ratePerSecond, #rateBurst = :rateBurst");
        assertThat(set.expressionAttributeNames())
                .isEqualTo(Map.of("#pk", "pk", "#ratePerSecond", "ratePerSecond", "#rateBurst", "rateBurst"));
        assertThat(set.expressionAttributeValues()).isEqualTo(Map.of(
                ":ratePerSecond", AttributeValue.fromN("2.5"), ":rateBurst", AttributeValue.fromN("7")));

        UpdateItemRequest clear = admin.requests().agentUpdateRequest("a", PolicyExpressions.AGENT_RATE_CLEAR, Map.of());
        assertThat(clear.updateExpression()).isEqualTo("REMOVE #ratePerSecond, #rateBurst");
        assertThat(clear.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(clear.hasExpressionAttributeValues()).isFalse();
    }

    @Test
    void listsScanForOneKindOfItem() {
        ScanRequest request = admin.requests().scanRequest("server#", "registry");
        assertThat(request.filterExpression()).isEqualTo("begins_with(#pk, :kind) AND #sk = :role");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#sk", "sk"));
        assertThat(request.expressionAttributeValues())
                .isEqualTo(Map.of(":kind", AttributeValue.fromS("server#"), ":role", AttributeValue.fromS("registry")));
        assertThat(request.consistentRead()).isTrue();
    }

    @Test
    void brokerReadsAreStronglyConsistent() {
        assertThat(new DynamoDbPolicyStore(OFFLINE, "policy").getRequest(PolicyItems.agentKey("a")).consistentRead()).isTrue();
        assertThat(new DynamoDbUpstreamRegistry(OFFLINE, "policy").findRequest("s").consistentRead()).isTrue();
        assertThat(PolicyItems.tenantKey("acme"))
                .isEqualTo(Map.of("pk", AttributeValue.fromS("tenant#acme"), "sk", AttributeValue.fromS("limits")));
    }

    @Test
    void toolKindDeclarationsMoveAToolBetweenTheTwoOverrideSetsAndKeyPolicyIsOneAttribute() {
        assertThat(PolicyExpressions.DECLARE_READ_ONLY_UPDATE)
                .isEqualTo("SET #updatedAt = :updatedAt ADD #readOnlyTools :tools DELETE #stateChangingTools :tools");
        assertThat(PolicyExpressions.DECLARE_STATE_CHANGING_UPDATE)
                .isEqualTo("SET #updatedAt = :updatedAt ADD #stateChangingTools :tools DELETE #readOnlyTools :tools");
        assertThat(PolicyExpressions.UNDECLARE_TOOL_UPDATE)
                .isEqualTo("SET #updatedAt = :updatedAt DELETE #readOnlyTools :tools, #stateChangingTools :tools");
        assertThat(PolicyExpressions.TOOL_KIND_NAMES).containsEntry("#readOnlyTools", "readOnlyTools")
                .containsEntry("#stateChangingTools", "stateChangingTools");
        assertThat(PolicyExpressions.SET_KEY_POLICY_UPDATE).isEqualTo("SET #keyPolicy = :keyPolicy, #updatedAt = :updatedAt");
        assertThat(PolicyExpressions.CLEAR_KEY_POLICY_UPDATE).isEqualTo("SET #updatedAt = :updatedAt REMOVE #keyPolicy");
        assertThat(PolicyExpressions.KEY_POLICY_NAMES).containsEntry("#keyPolicy", "idempotencyKeyPolicy");
    }
}
