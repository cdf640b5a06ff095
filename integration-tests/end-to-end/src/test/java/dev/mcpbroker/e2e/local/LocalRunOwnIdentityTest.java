package dev.mcpbroker.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpbroker.e2e.LocalIdentity;
import dev.mcpbroker.testkit.jwt.JwksServer;
import dev.mcpbroker.testkit.jwt.TestTokens;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/run-local.sh} trusting a team's own identity provider ({@code --issuer}, {@code --jwks-url},
 * {@code --audience}) instead of the dev token: the broker fetches the provider's keys, refuses everyone else's, and
 * serves an agent once it is granted with the admin command the banner prints.
 */
class LocalRunOwnIdentityTest {

    private static final String ISSUER = "https://idp.team.example";
    private static final String AUDIENCE = "https://broker.team.example";
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"identity-test","version":"1.0"}}}""";

    private static final TestTokens idp = TestTokens.create(ISSUER, AUDIENCE);
    private static JwksServer jwks;
    private static LocalRunProcess run;
    private static LocalRunSession banner;

    @BeforeAll
    static void startTheLocalRunWithTheTeamsIdentityProvider() {
        jwks = JwksServer.start(idp);
        LocalRunPorts ports = LocalRunPorts.free();
        run = LocalRunProcess.start(List.of("--port", Integer.toString(ports.gateway()),
                "--aws-ports", Integer.toString(ports.firstAws()),
                "--issuer", ISSUER, "--jwks-url", jwks.uri().toString(), "--audience", AUDIENCE,
                "--no-everything", "--logs", "integration-tests/end-to-end/target/local-run-identity-test"), Map.of());
        banner = new LocalRunSession(run.awaitBanner(Duration.ofSeconds(150)));
    }

    @AfterAll
    static void stop() {
        if (run != null) {
            run.interrupt();
            assertThat(run.awaitExit(Duration.ofSeconds(30))).as(run.output()).isNotEqualTo(-1);
            run.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    @Test
    void bannerNamesTheIdentityProviderAndHowToGrantAnAgentAndPrintsNoDevToken() {
        assertThat(banner.text()).contains("issuer " + ISSUER).contains("keys " + jwks.uri()).contains("audience " + AUDIENCE)
                .contains("scripts/admin.sh grant <agent id> --tenant <tenant> --server payments")
                .doesNotContain("export MCP_BROKER_TOKEN=ey");
    }

    @Test
    void anAgentOfTheTeamsIssuerIsRefusedUntilGrantedWithThePrintedCommandThenCallsATool() {
        String token = idp.forAgent("team-agent").tenant("team").expiresIn(Duration.ofMinutes(10)).sign();
        assertThat(initialize(token).statusCode()).as("not on the allowlist yet").isEqualTo(403);

        LocalRunShell.Result granted = LocalRunShell.run(banner.adminExports()
                + "\nscripts/admin.sh grant team-agent --tenant team --server payments");
        assertThat(granted.status()).as(granted.output()).isZero();

        await().atMost(Duration.ofSeconds(10)).until(() -> initialize(token).statusCode() == 200);
        try (LocalRunClient client = LocalRunClient.connect(banner.endpoint("payments"), token)) {
            client.client().initialize();
            McpSchema.CallToolResult balance = client.client().callTool(new McpSchema.CallToolRequest("get_balance",
                    Map.of("account", "alice")));
            assertThat(balance.isError()).isNotEqualTo(Boolean.TRUE);
        }
        assertThat(jwks.requestCount()).as("keys fetched from the provider").isPositive();
    }

    @Test
    void tokensNotIssuedForThisBrokerByTheTeamsProviderAreRefused() {
        TestTokens devIssuer = TestTokens.create(LocalIdentity.DEV_ISSUER, LocalIdentity.DEFAULT_AUDIENCE);
        HttpResponse<String> otherIssuer = initialize(devIssuer.forAgent("dev-agent").tenant("dev").sign());
        HttpResponse<String> otherAudience = initialize(idp.forAgent("team-agent").tenant("team").audience("https://elsewhere.example").sign());

        assertThat(otherIssuer.statusCode()).isEqualTo(401);
        assertThat(otherAudience.statusCode()).isEqualTo(401);
        assertThat(otherAudience.body()).contains("token_audience_invalid");
    }

    private static HttpResponse<String> initialize(String token) {
        HttpRequest request = HttpRequest.newBuilder(banner.endpoint("payments")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(INITIALIZE)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
