package dev.mcpbroker.function;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * MCP 2026-07-28 agents on the same endpoint as legacy ones, through the Lambda event path: the headers the
 * generation requires are read and checked against the body, its error codes come back with the HTTP status the
 * specification names, and a legacy upstream (the demo payments server) answers inside a session the broker holds.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class StatelessEndpointTest {

    private static final String V2026 = "2026-07-28";

    private static String toolsCall(String tool, String version) {
        return """
                {"jsonrpc":"2.0","id":"s-1","method":"tools/call","params":{"name":"%s","arguments":{"account":"bob"},
                 "_meta":{"io.modelcontextprotocol/protocolVersion":"%s","io.modelcontextprotocol/clientCapabilities":{},
                 "io.modelcontextprotocol/clientInfo":{"name":"stateless-endpoint-test","version":"1"}}}}"""
                .formatted(tool, version);
    }

    private static RequestSpecification stateless(String method, String name, String version) {
        RequestSpecification request = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token(BrokerTestResources.AGENT_A))
                .header("MCP-Protocol-Version", version)
                .header("Mcp-Method", method);
        return name == null ? request : request.header("Mcp-Name", name);
    }

    @Test
    void aStatelessToolCallIsAnsweredWithoutASessionAndSaysItsResultType() {
        Response response = stateless("tools/call", "get_balance", V2026).body(toolsCall("get_balance", V2026))
                .post("/mcp/payments");

        response.then().statusCode(200)
                .body("id", equalTo("s-1"))
                .body("result.resultType", equalTo("complete"));
        assertThat(response.header("Mcp-Session-Id")).isNull();
        assertThat(response.body().jsonPath().getString("result.content[0].text")).contains("bob");
    }

    @Test
    void aNameHeaderThatDisagreesWithTheBodyIs400WithHeaderMismatch() {
        stateless("tools/call", "transfer", V2026).body(toolsCall("get_balance", V2026)).post("/mcp/payments")
                .then().statusCode(400)
                .body("id", equalTo("s-1"))
                .body("error.code", equalTo(-32020))
                .body("error.data.reason", equalTo("header_mismatch"));
    }

    @Test
    void aMissingMethodHeaderIs400WithHeaderMismatch() {
        given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token(BrokerTestResources.AGENT_A))
                .header("MCP-Protocol-Version", V2026)
                .body(toolsCall("get_balance", V2026)).post("/mcp/payments")
                .then().statusCode(400)
                .body("error.code", equalTo(-32020));
    }

    @Test
    void anUnsupportedVersionIs400NamingTheSupportedOnes() {
        stateless("tools/call", "get_balance", "2099-01-01").body(toolsCall("get_balance", "2099-01-01"))
                .post("/mcp/payments")
                .then().statusCode(400)
                .body("error.code", equalTo(-32022))
                .body("error.data.supported", hasItem(V2026))
                .body("error.data.requested", equalTo("2099-01-01"));
    }

    @Test
    void deleteUnderTheStatelessVersionIs405() {
        given().header("Authorization", "Bearer " + BrokerTestResources.token(BrokerTestResources.AGENT_A))
                .header("MCP-Protocol-Version", V2026)
                .delete("/mcp/payments")
                .then().statusCode(405)
                .body("error.data.reason", equalTo("method_not_allowed"));
    }

    @Test
    void serverDiscoverIsAnsweredByTheBroker() {
        stateless("server/discover", null, V2026).body("""
                {"jsonrpc":"2.0","id":3,"method":"server/discover","params":{"_meta":{
                 "io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""")
                .post("/mcp/payments")
                .then().statusCode(200)
                .body("result.supportedVersions", hasItem(V2026))
                .body("result.cacheScope", equalTo("private"))
                .body("result.resultType", equalTo("complete"))
                .body("result._meta.'io.modelcontextprotocol/serverInfo'.name", equalTo("demo-payments"));
    }

    @Test
    void aRequestForAHostOtherThanTheOnesServedIsRefused() {
        stateless("tools/call", "get_balance", V2026).header("Host", "attacker.example.net")
                .body(toolsCall("get_balance", V2026)).post("/mcp/payments")
                .then().statusCode(403)
                .body("error.data.reason", equalTo("host_not_allowed"));
    }
}
