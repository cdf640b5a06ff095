package dev.mcpbroker.function.auth;

import static dev.mcpbroker.function.auth.JwtTestSetup.ISSUER;
import static dev.mcpbroker.function.auth.JwtTestSetup.RESOURCE;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/** RFC 9728 metadata through the real API Gateway event path; no credentials needed, none challenged. */
@QuarkusTest
@TestProfile(JwtTestSetup.JwksProfile.class)
class JwtProtectedResourceMetadataTest {

    @Test
    void brokerMetadataNamesTheResourceAndItsAuthorizationServer() {
        given().get("/.well-known/oauth-protected-resource")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("resource", equalTo(RESOURCE))
                .body("authorization_servers", contains(ISSUER))
                .body("bearer_methods_supported", contains("header"))
                .body("resource_name", equalTo("mcp-broker"));
    }

    @Test
    void endpointMetadataNamesTheEndpointAsTheResource() {
        given().get("/.well-known/oauth-protected-resource/mcp/payments")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("resource", equalTo(RESOURCE + "/mcp/payments"))
                .body("authorization_servers", contains(ISSUER))
                .body("bearer_methods_supported", contains("header"))
                .body("resource_name", equalTo("mcp-broker"));
    }

    @Test
    void quarkusNeitherRejectsNorChallengesBearerHeaders() {
        given().header("Authorization", "Bearer not.a.token")
                .get("/.well-known/oauth-protected-resource")
                .then().statusCode(200).body("resource", equalTo(RESOURCE));
        given().header("Authorization", "Bearer " + JwtTestSetup.TOKENS.forAgent("a").unsigned())
                .get("/.well-known/oauth-protected-resource/mcp/payments")
                .then().statusCode(200);
    }

    @Test
    void serverIdsThatCannotNameAnEndpointAreNotFound() {
        given().urlEncodingEnabled(false).get("/.well-known/oauth-protected-resource/mcp/a%20b%3Cscript%3E")
                .then().statusCode(404);
    }
}
