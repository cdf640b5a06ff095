package dev.mcpbroker.function;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * The agent-facing endpoint through the real API Gateway v2 event path of the Lambda extension, against
 * DynamoDB and a real upstream MCP server.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class McpEndpointTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"endpoint-test","version":"1.0"}}}""";

    private static RequestSpecification mcp() {
        return given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token(BrokerTestResources.AGENT_A));
    }

    private static String openSession(String server) {
        return mcp().body(INITIALIZE).post("/mcp/" + server)
                .then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    private static Response call(String server, String sessionId, String body) {
        return mcp().header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25")
                .body(body).post("/mcp/" + server);
    }

    @jakarta.inject.Inject
    software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamoDb;

    @jakarta.inject.Inject
    software.amazon.awssdk.services.secretsmanager.SecretsManagerClient secrets;

    @jakarta.inject.Inject
    AwsClients clients;

    @Test
    void everyAwsClientTheFunctionUsesIsBoundedByTheConfiguredCallAndAttemptTimeoutsAndTraced() {
        try (var kinesis = clients.kinesis()) {
            for (software.amazon.awssdk.core.SdkClient client : java.util.List.of(dynamoDb, secrets, kinesis)) {
                var override = client.serviceClientConfiguration().overrideConfiguration();
                // the defaults of broker.aws.sdk.*: what the template leaves them at
                org.assertj.core.api.Assertions.assertThat(override.apiCallTimeout()).as(client.serviceName())
                        .contains(java.time.Duration.ofSeconds(5));
                org.assertj.core.api.Assertions.assertThat(override.apiCallAttemptTimeout()).as(client.serviceName())
                        .contains(java.time.Duration.ofSeconds(2));
                org.assertj.core.api.Assertions.assertThat(override.executionInterceptors()).as(client.serviceName())
                        .isNotEmpty();
            }
        }
    }

    @Test
    void initializeOpensAnUpstreamSessionAndStoresItUnderANewBrokerSessionId() {
        Response response = mcp().body(INITIALIZE).post("/mcp/payments");
        response.then().statusCode(200)
                .body("id", equalTo(1))
                .body("result.protocolVersion", equalTo("2025-11-25"))
                .body("result.serverInfo.name", equalTo("demo-payments"));
        String sessionId = response.header("Mcp-Session-Id");
        assertThat(sessionId).hasSizeGreaterThanOrEqualTo(22).matches("[\\x21-\\x7E]+");

        BrokerSession stored = new DynamoDbSessionStore(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE)
                .find(sessionId).orElseThrow();
        assertThat(stored.serverId()).isEqualTo("payments");
        assertThat(stored.protocolVersion()).isEqualTo("2025-11-25");
        assertThat(stored.upstreamSessionId()).isNotBlank().isNotEqualTo(sessionId);
        assertThat(stored.initializeParams()).contains("endpoint-test");
    }

    @Test
    void toolsListAndToolsCallAreRelayedWithinTheSession() {
        String session = openSession("payments");
        call("payments", session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                .then().statusCode(200).contentType("application/json")
                .body("id", equalTo(2))
                .body("result.tools.name", org.hamcrest.Matchers.hasItems("transfer", "get_balance"));
        call("payments", session, """
                {"jsonrpc":"2.0","id":"b-1","method":"tools/call","params":{"name":"get_balance","arguments":{"account":"alice"}}}""")
                .then().statusCode(200)
                .body("id", equalTo("b-1"))
                .body("result.isError", org.hamcrest.Matchers.not(equalTo(true)))
                .body("result.content[0].text", org.hamcrest.Matchers.containsString("alice"));
    }

    @Test
    void toolFailureComesBackAsDataNotAsAProtocolError() {
        String session = openSession("payments");
        mcp().header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25")
                .header("Idempotency-Key", "insufficient-funds-" + System.nanoTime()).body("""
                {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"transfer",
                 "arguments":{"from":"carol","to":"alice","amountCents":999999999}}}""").post("/mcp/payments")
                .then().statusCode(200)
                .body("error", nullValue())
                .body("result.isError", equalTo(true));
    }

    @Test
    void requestWithoutSessionIdIsRefusedWith400() {
        mcp().body("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\"}").post("/mcp/payments")
                .then().statusCode(400)
                .body("jsonrpc", equalTo("2.0"))
                .body("id", equalTo(4))
                .body("error.code", equalTo(-32600))
                .body("error.data.reason", equalTo("missing_session_id"));
    }

    @Test
    void unknownSessionIsRefusedWith404() {
        call("payments", "unknown-session-id-0000000000000000000000000", "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}")
                .then().statusCode(404)
                .body("error.code", equalTo(-31001))
                .body("error.data.reason", equalTo("session_not_found"));
    }

    @Test
    void sessionOfAnotherServerIsRefusedWith404() {
        String session = openSession("payments");
        call("down", session, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}")
                .then().statusCode(404).body("error.data.reason", equalTo("session_not_found"));
    }

    @Test
    void deleteEndsTheSessionHereAndUpstream() throws Exception {
        String session = openSession("payments");
        BrokerSession stored = new DynamoDbSessionStore(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE)
                .find(session).orElseThrow();
        mcp().header("Mcp-Session-Id", session).delete("/mcp/payments").then().statusCode(204);

        call("payments", session, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}").then().statusCode(404);
        mcp().header("Mcp-Session-Id", session).delete("/mcp/payments").then().statusCode(404);
        // The upstream itself no longer knows its session.
        assertThat(upstreamStatusFor(stored.upstreamSessionId())).isEqualTo(404);
    }

    private static int upstreamStatusFor(String upstreamSessionId) throws Exception {
        java.net.http.HttpRequest ping = java.net.http.HttpRequest.newBuilder(BrokerTestResources.payments().mcpEndpoint())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", upstreamSessionId)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                .build();
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            return client.send(ping, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void getIsRefusedWith405AndAllowHeader() {
        Response response = mcp().accept("text/event-stream").get("/mcp/payments");
        response.then().statusCode(405).body("error.data.reason", equalTo("method_not_allowed"));
        // The Lambda adapter may split a comma-separated header into several; either form is one list.
        assertThat(String.join(",", response.headers().getValues("Allow")).split("\\s*,\\s*"))
                .containsExactlyInAnyOrder("POST", "DELETE");
    }

    @Test
    void malformedJsonIsAParseErrorWithNullId() {
        mcp().body("{\"jsonrpc\":\"2.0\",").post("/mcp/payments")
                .then().statusCode(400)
                .body("error.code", equalTo(-32700))
                .body("id", nullValue());
    }

    @Test
    void batchIsRefusedAsInvalidRequest() {
        mcp().body("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]").post("/mcp/payments")
                .then().statusCode(400)
                .body("error.code", equalTo(-32600))
                .body("error.data.reason", equalTo("batch_not_supported"));
    }

    @Test
    void oversizedBodyIsRefusedWith413BeforeParsing() {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}";
        mcp().body(big).post("/mcp/payments")
                .then().statusCode(413).body("error.data.reason", equalTo("body_too_large"));
    }

    @Test
    void nonJsonContentTypeIsRefusedWith415() {
        mcp().contentType("text/plain").body("{}").post("/mcp/payments")
                .then().statusCode(415).body("error.data.reason", equalTo("unsupported_media_type"));
    }

    @Test
    void notificationIsAcceptedWith202AndNoBody() {
        String session = openSession("payments");
        call("payments", session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .then().statusCode(202);
        call("payments", session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}")
                .then().statusCode(202);
    }

    @Test
    void unsupportedProtocolVersionHeaderIsRefusedWith400() {
        String session = openSession("payments");
        mcp().header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "1999-01-01")
                .body("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}").post("/mcp/payments")
                .then().statusCode(400).body("error.data.reason", equalTo("unsupported_protocol_version"));
    }

    @Test
    void unknownServerIsRefusedWith404() {
        mcp().body(INITIALIZE).post("/mcp/no-such-server")
                .then().statusCode(404).body("error.data.reason", equalTo("unknown_server"));
    }

    @Test
    void unreachableUpstreamIsReportedAsNotExecuted() {
        mcp().body(INITIALIZE).post("/mcp/down")
                .then().statusCode(502)
                .body("id", equalTo(1))
                .body("error.data.reason", equalTo("upstream_unreachable"))
                .body("error.data.failureClass", equalTo("not_executed"));
    }

    @Test
    void numberLongerThanTheParserLimitIsAParseErrorNotAStackTrace() {
        // 500 digits: within Jackson's default limit (1000), beyond the codec's own (100).
        String session = openSession("payments");
        call("payments", session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"n\":" + "9".repeat(500) + "}}")
                .then().statusCode(400).body("error.code", equalTo(-32700));
    }

    @Test
    void browserRequestFromAForeignOriginIsRefusedWith403BeforeAnythingElse() {
        long requests = BrokerTestResources.payments().mcpRequests();
        mcp().header("Origin", "https://evil.example").body(INITIALIZE).post("/mcp/payments")
                .then().statusCode(403).body("error.data.reason", equalTo("origin_not_allowed"));
        assertThat(BrokerTestResources.payments().mcpRequests()).isEqualTo(requests);
        mcp().header("Origin", BrokerTestResources.ALLOWED_ORIGIN).body(INITIALIZE).post("/mcp/payments")
                .then().statusCode(200);
    }

    @Test
    void requestNamingAHostThisBrokerDoesNotServeIsRefused() {
        mcp().header("Host", "attacker.example").body(INITIALIZE).post("/mcp/payments")
                .then().statusCode(403).body("error.data.reason", equalTo("host_not_allowed"));
    }

    @Test
    void unknownPathAnswersJsonRpcNotAStackTrace() {
        mcp().body(INITIALIZE).post("/elsewhere")
                .then().statusCode(404).body("error.code", notNullValue());
    }
}
