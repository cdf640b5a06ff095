package dev.mcpbroker.function;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static dev.mcpbroker.function.BrokerTestResources.AGENT_B;
import static dev.mcpbroker.function.BrokerTestResources.AGENT_LIMITED;
import static dev.mcpbroker.function.BrokerTestResources.LEDGER;
import static dev.mcpbroker.function.BrokerTestResources.PAYMENTS;
import static dev.mcpbroker.function.BrokerTestResources.TENANT;
import static dev.mcpbroker.function.BrokerTestResources.TOKENS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy layer: who may call what, decided before any upstream contact, and upstream credentials that
 * only the broker holds. Every refusal asserts its status, its stable reason, and that the upstream saw
 * no request at all.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class GovernanceTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"governance-test","version":"1.0"}}}""";
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    private static RequestSpecification as(String authorizationHeader) {
        RequestSpecification spec = given().contentType("application/json").accept("application/json, text/event-stream");
        return authorizationHeader == null ? spec : spec.header("Authorization", authorizationHeader);
    }

    private static RequestSpecification agent(String agent) {
        return as("Bearer " + BrokerTestResources.token(agent));
    }

    private static String open(String agent, String server) {
        return agent(agent).body(INITIALIZE).post("/mcp/" + server).then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    private static Response call(String agent, String server, String session, String body) {
        return agent(agent).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                .body(body).post("/mcp/" + server);
    }

    private static String toolCall(String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    /** Runs {@code request} and asserts that it never reached {@code upstream}. */
    private static Response withoutUpstreamContact(DemoUpstream upstream, Supplier<Response> request) {
        long before = upstream.mcpRequests();
        Response response = request.get();
        assertThat(upstream.mcpRequests()).as("requests the upstream received").isEqualTo(before);
        return response;
    }

    private static void assertRefused(Response response, int status, String reason) {
        response.then().statusCode(status);
        assertThat(response.jsonPath().getString("jsonrpc")).isEqualTo("2.0");
        assertThat(response.jsonPath().getString("error.data.reason")).isEqualTo(reason);
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    // ---- authentication ---------------------------------------------------------------------------------

    /** Upstream secrets used during the class, to look for afterwards where they must never be. */
    private static final java.util.Set<String> SECRETS_SEEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @org.junit.jupiter.api.AfterAll
    static void noSecretReachedTheFunctionLog() throws java.io.IOException {
        SECRETS_SEEN.add(BrokerTestResources.LEDGER_SECRET);
        String log = java.nio.file.Files.readString(BrokerTestResources.LOG_FILE);
        assertThat(log).as("the function's log").isNotBlank();
        assertThat(SECRETS_SEEN).allSatisfy(secret -> assertThat(log).doesNotContain(secret));
    }

    static Stream<Arguments> badTokens() {
        String resource = BrokerTestResources.RESOURCE;
        return Stream.of(
                Arguments.of("missing token", null, "token_missing"),
                Arguments.of("not a bearer token", "Basic YWdlbnQ6cGFzcw==", "token_malformed"),
                Arguments.of("expired", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .expiresAt(java.time.Instant.now().minus(Duration.ofMinutes(10))).sign(), "token_expired"),
                Arguments.of("not yet valid", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .notBeforeIn(Duration.ofMinutes(10)).expiresIn(Duration.ofHours(1)).sign(), "token_not_yet_valid"),
                Arguments.of("wrong issuer", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .issuer("https://evil.example").sign(), "token_issuer_invalid"),
                Arguments.of("wrong audience", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .audience("https://other-service.example").sign(), "token_audience_invalid"),
                Arguments.of("another server's audience", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .audience(resource + "/mcp/" + LEDGER).sign(), "token_audience_invalid"),
                Arguments.of("alg none", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT).unsigned(), "token_algorithm_refused"),
                Arguments.of("HS256 signed with the public key", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .signHs256WithRsaPublicKey(), "token_algorithm_refused"),
                Arguments.of("tampered payload", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .tampered(claims -> claims.put("sub", AGENT_B)), "token_signature_invalid"),
                Arguments.of("unknown key id", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT)
                        .kid("rotated-away").signRs256(), "token_key_unknown"),
                // Above the token limit configured for these tests (4 KiB), below the HTTP layer's header limit.
                Arguments.of("oversized", "Bearer " + TOKENS.forAgent(AGENT_A).tenant(TENANT).padded(5_000).sign(),
                        "token_too_large"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokenIsRefusedWith401BeforeAnyUpstreamContact(String name, String authorization, String reason) {
        Response response = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> as(authorization).body(INITIALIZE).post("/mcp/" + PAYMENTS));
        assertRefused(response, 401, reason);
        // Quarkus's mock API Gateway splits header values at commas; the function sends one challenge.
        assertThat(String.join(",", response.headers().getValues("WWW-Authenticate")))
                .startsWith("Bearer ")
                .contains("resource_metadata=\"" + BrokerTestResources.RESOURCE + "/.well-known/oauth-protected-resource\"");
    }

    @Test
    void tokenForThisServersEndpointIsAccepted() {
        String token = TOKENS.forAgent(AGENT_A).tenant(TENANT).audience(BrokerTestResources.RESOURCE + "/mcp/" + PAYMENTS).sign();
        as("Bearer " + token).body(INITIALIZE).post("/mcp/" + PAYMENTS).then().statusCode(200);
    }

    // ---- authorisation ----------------------------------------------------------------------------------

    @Test
    void agentNotOnTheAllowlistIsRefusedWith403() {
        Response response = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> as("Bearer " + TOKENS.forAgent("stranger").tenant(TENANT).sign()).body(INITIALIZE).post("/mcp/" + PAYMENTS));
        assertRefused(response, 403, "agent_not_allowed");
    }

    @Test
    void tokenNamingAnotherTenantIsRefusedWith403() {
        Response response = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> as("Bearer " + TOKENS.forAgent(AGENT_A).tenant("t2").sign()).body(INITIALIZE).post("/mcp/" + PAYMENTS));
        assertRefused(response, 403, "tenant_mismatch");
    }

    @Test
    void serverNotGrantedIsRefusedWith403() {
        Response response = withoutUpstreamContact(BrokerTestResources.ledger(),
                () -> agent(AGENT_B).body(INITIALIZE).post("/mcp/" + LEDGER));
        assertRefused(response, 403, "server_not_allowed");
    }

    @Test
    void anotherIdentitysSessionIsIndistinguishableFromAnUnknownOne() {
        String session = open(AGENT_A, PAYMENTS);
        Response stolen = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> call(AGENT_B, PAYMENTS, session, TOOLS_LIST));
        assertRefused(stolen, 404, "session_not_found");
        Response unknown = call(AGENT_B, PAYMENTS, "no-such-session-" + UUID.randomUUID(), TOOLS_LIST);
        assertThat(stolen.asString().replace("\"id\":2", "")).isEqualTo(unknown.asString().replace("\"id\":2", ""));
        // The owner still has it.
        call(AGENT_A, PAYMENTS, session, TOOLS_LIST).then().statusCode(200);
    }

    @Test
    void toolListShowsOnlyTheToolsTheAgentMayCall() {
        String session = open(AGENT_B, PAYMENTS);
        assertThat(call(AGENT_B, PAYMENTS, session, TOOLS_LIST).jsonPath().getList("result.tools.name", String.class))
                .containsExactlyInAnyOrder("get_balance", "list_transfers");
        assertThat(call(AGENT_A, PAYMENTS, open(AGENT_A, PAYMENTS), TOOLS_LIST).jsonPath().getList("result.tools.name", String.class))
                .contains("transfer", "echo_credentials");
    }

    @Test
    void disallowedToolIsAJsonRpcErrorAndNeverReachesTheUpstream() {
        String session = open(AGENT_B, PAYMENTS);
        long transfers = BrokerTestResources.payments().executions("transfer");
        Response response = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> call(AGENT_B, PAYMENTS, session, toolCall("transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}")));
        assertRefused(response, 200, "tool_not_allowed");
        assertThat(response.jsonPath().getInt("error.code")).isEqualTo(-31041);
        assertThat(response.jsonPath().getInt("id")).isEqualTo(3);
        assertThat(BrokerTestResources.payments().executions("transfer")).isEqualTo(transfers);
    }

    @Test
    void killedToolIsRefusedAndHiddenUntilRevived() {
        String session = open(AGENT_A, PAYMENTS);
        BrokerTestResources.admin().killTool(PAYMENTS, "list_transfers");
        try {
            Response response = withoutUpstreamContact(BrokerTestResources.payments(),
                    () -> call(AGENT_A, PAYMENTS, session, toolCall("list_transfers", "{}")));
            assertRefused(response, 200, "tool_killed");
            assertThat(call(AGENT_A, PAYMENTS, session, TOOLS_LIST).jsonPath().getList("result.tools.name", String.class))
                    .doesNotContain("list_transfers");
        } finally {
            BrokerTestResources.admin().reviveTool(PAYMENTS, "list_transfers");
        }
        call(AGENT_A, PAYMENTS, session, toolCall("list_transfers", "{}")).then().statusCode(200);
    }

    @Test
    void killedServerRefusesNewAndExistingSessionsUntilRevived() {
        String session = open(AGENT_A, LEDGER);
        BrokerTestResources.admin().killServer(LEDGER);
        try {
            assertRefused(withoutUpstreamContact(BrokerTestResources.ledger(),
                    () -> agent(AGENT_A).body(INITIALIZE).post("/mcp/" + LEDGER)), 403, "server_killed");
            assertRefused(withoutUpstreamContact(BrokerTestResources.ledger(),
                    () -> call(AGENT_A, LEDGER, session, TOOLS_LIST)), 403, "server_killed");
        } finally {
            BrokerTestResources.admin().reviveServer(LEDGER);
        }
        call(AGENT_A, LEDGER, session, TOOLS_LIST).then().statusCode(200);
    }

    /** Runs {@code request} with standard output captured: where the function writes its EMF metric lines. */
    private static String capturingStandardOutput(Runnable request) {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            request.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void assertRateLimitMetric(String output, String tenant, String scope) {
        assertThat(output.lines().filter(line -> line.startsWith("{\"_aws\"")))
                .anySatisfy(line -> assertThat(line)
                        .contains("\"Namespace\":\"McpBroker\"").contains("\"Name\":\"RateLimited\"")
                        .contains("\"Tenant\":\"" + tenant + "\"").contains("\"Scope\":\"" + scope + "\"")
                        .contains("\"RateLimited\":1"));
    }

    @Test
    void exceedingTheAgentRateLimitIsRefusedWith429AndCountedForItsTenant() {
        // The limited agent's bucket holds two requests and practically never refills.
        String session = open(AGENT_LIMITED, PAYMENTS);
        call(AGENT_LIMITED, PAYMENTS, session, TOOLS_LIST).then().statusCode(200);
        Response[] refused = new Response[1];
        String output = capturingStandardOutput(() -> refused[0] = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> call(AGENT_LIMITED, PAYMENTS, session, TOOLS_LIST)));
        assertRefused(refused[0], 429, "rate_limited");
        assertThat(Long.parseLong(refused[0].header("Retry-After"))).isPositive();
        assertThat(refused[0].jsonPath().getString("error.data.failureClass")).isEqualTo("not_executed");
        assertThat(refused[0].jsonPath().getLong("error.data.retryAfter")).isPositive();
        assertRateLimitMetric(output, TENANT, "agent");
    }

    @Test
    void exceedingTheTenantRateLimitIsRefusedWith429AndCountedForTheTenant() {
        String session = open(BrokerTestResources.AGENT_SMALL, PAYMENTS);
        call(BrokerTestResources.AGENT_SMALL, PAYMENTS, session, TOOLS_LIST).then().statusCode(200);
        Response[] refused = new Response[1];
        String output = capturingStandardOutput(() -> refused[0] = withoutUpstreamContact(BrokerTestResources.payments(),
                () -> call(BrokerTestResources.AGENT_SMALL, PAYMENTS, session, TOOLS_LIST)));
        assertRefused(refused[0], 429, "rate_limited");
        assertRateLimitMetric(output, BrokerTestResources.SMALL_TENANT, "tenant");
    }

    // ---- secret custody ---------------------------------------------------------------------------------

    private static String currentLedgerSecret() {
        String secret = AwsEnvironment.shared().secretsManager()
                .getSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID)).secretString();
        SECRETS_SEEN.add(secret);
        return secret;
    }

    @Test
    void upstreamCredentialIsAttachedByTheBrokerAndTheAgentTokenIsNeverForwarded() {
        String agentToken = BrokerTestResources.token(AGENT_A);
        String session = as("Bearer " + agentToken).body(INITIALIZE).post("/mcp/" + LEDGER)
                .then().statusCode(200).extract().header("Mcp-Session-Id");
        call(AGENT_A, LEDGER, session, toolCall("get_balance", "{\"account\":\"alice\"}")).then().statusCode(200);
        assertThat(BrokerTestResources.ledger().lastRequestHeaders().get("authorization"))
                .isEqualTo("Bearer " + currentLedgerSecret());

        String paymentsSession = open(AGENT_A, PAYMENTS);
        call(AGENT_A, PAYMENTS, paymentsSession, toolCall("get_balance", "{\"account\":\"bob\"}")).then().statusCode(200);
        assertThat(BrokerTestResources.payments().lastRequestHeaders()).doesNotContainKey("authorization");
        assertThat(BrokerTestResources.payments().lastRequestHeaders().values()).noneMatch(v -> v.contains(agentToken));
    }

    @Test
    void credentialEchoedByTheUpstreamReachesTheAgentOnlyAsARedactionMarker() {
        String session = open(AGENT_A, LEDGER);
        Response response = call(AGENT_A, LEDGER, session, toolCall("echo_credentials", "{}"));
        response.then().statusCode(200);
        String secret = currentLedgerSecret();
        assertThat(response.asString()).doesNotContain(secret).contains("[REDACTED]");
        assertThat(response.jsonPath().getString("result.structuredContent.authorization")).isEqualTo("Bearer [REDACTED]");
    }

    @Test
    void rotatedCredentialIsRefetchedOnceAfterTheUpstreamRefusesTheCachedOne() {
        String session = open(AGENT_A, LEDGER); // the broker now holds the current secret in its cache
        // Listing first, as agents do, so the broker knows which tools only read and asks nothing else.
        call(AGENT_A, LEDGER, session, TOOLS_LIST).then().statusCode(200);
        String rotated = "upstream-ledger-rotated-" + UUID.randomUUID();
        SECRETS_SEEN.add(rotated);
        AwsEnvironment.shared().secretsManager().putSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID).secretString(rotated));
        BrokerTestResources.ledger().requireCredential("Authorization", "Bearer " + rotated);

        long requests = BrokerTestResources.ledger().mcpRequests();
        long balances = BrokerTestResources.ledger().executions("get_balance");
        Response response = call(AGENT_A, LEDGER, session, toolCall("get_balance", "{\"account\":\"alice\"}"));
        response.then().statusCode(200);
        assertThat(response.jsonPath().getBoolean("result.isError")).isFalse();
        // One refused with the stale secret, one served with the fresh one; the tool ran once.
        assertThat(BrokerTestResources.ledger().mcpRequests()).isEqualTo(requests + 2);
        assertThat(BrokerTestResources.ledger().executions("get_balance")).isEqualTo(balances + 1);
    }
}
