package dev.mcpbroker.function.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** MCP requests to the function under test, as an agent sends them over HTTP. */
public final class McpHttp {

    public static final String VERSION = "2025-11-25";
    public static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"function-test","version":"1.0"}}}""";

    private McpHttp() {
    }

    public static RequestSpecification as(String token) {
        return given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + token);
    }

    /** Opens a session; returns its id. */
    public static String open(String token, String server) {
        return as(token).body(INITIALIZE).post("/mcp/" + server).then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    /** A request in a session, with an idempotency key when {@code key} is not null. */
    public static Response call(String token, String server, String session, String key, String body) {
        RequestSpecification spec = as(token).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        if (key != null) {
            spec = spec.header("Idempotency-Key", key);
        }
        return spec.body(body).post("/mcp/" + server);
    }

    public static String toolCall(String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }
}
