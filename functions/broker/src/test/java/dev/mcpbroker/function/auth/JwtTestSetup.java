package dev.mcpbroker.function.auth;

import dev.mcpbroker.testkit.jwt.JwksServer;
import dev.mcpbroker.testkit.jwt.TestTokens;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One test identity provider for the whole test JVM (keys, a JWKS server, a PEM file) and the test profiles
 * that point the function at it. Everything else the function needs starts without AWS: no upstreams, and a
 * DynamoDB endpoint on a port nothing listens on.
 */
final class JwtTestSetup {

    static final String ISSUER = "https://idp.test.example";
    static final String RESOURCE = "https://broker.example.com";

    // Shared JVM-wide: Quarkus loads the profiles below and the test classes in different class loaders, and
    // both must see the same keys and the same JWKS server.
    static final TestTokens TOKENS = TestTokens.shared("broker-function-jwt", ISSUER, RESOURCE);
    /** The identity provider's JWKS endpoint for {@link JwksProfile}. */
    static final JwksServer JWKS = JwksServer.shared("broker-function-jwt", TOKENS::jwksJson);
    /** A second JWKS endpoint, for {@link FlakyJwksProfile}; its tests switch it between outage and service. */
    static final JwksServer FLAKY_JWKS = JwksServer.shared("broker-function-jwt-flaky", TOKENS::jwksJson);
    static final Path RSA_PEM = TOKENS.writePublicKeyPem(
            Path.of("target", "jwt-test", "rsa-public-" + ProcessHandle.current().pid() + ".pem").toAbsolutePath(),
            TestTokens.KeyKind.RSA);

    private JwtTestSetup() {
    }

    static Map<String, String> common() {
        Map<String, String> config = new HashMap<>();
        config.put("broker.auth.resource", RESOURCE);
        config.put("broker.auth.issuer", ISSUER);
        // the tests call by loopback address, not by the resource URL's host, which is the default
        config.put("broker.http.allowed-hosts", "localhost,127.0.0.1");
        // What application.properties must say for the function to do its own authentication.
        config.put("quarkus.smallrye-jwt.enabled", "false");
        config.put("quarkus.http.auth.proactive", "false");
        config.put("quarkus.lambda.mock-event-server.test-port", "0");
        config.put("broker.aws.region", "us-east-1");
        config.put("broker.aws.dynamodb.endpoint", "http://127.0.0.1:9");
        return config;
    }

    /** Keys from the JWKS server; defaults for everything else (RS256+ES256, sub/tenant/act, 30 s skew). */
    public static final class JwksProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = common();
            config.put("broker.auth.jwks-url", JWKS.uri().toString());
            return config;
        }
    }

    /** The RSA key from a PEM file; agent from {@code azp}, tenant from {@code org}, user from {@code on_behalf_of}. */
    public static final class PemAzpProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = common();
            config.put("broker.auth.public-key-location", RSA_PEM.toString());
            config.put("broker.auth.identity", "claims");
            config.put("broker.auth.agent-claim", "azp");
            config.put("broker.auth.tenant-claim", "org");
            config.put("broker.auth.user-claim", "on_behalf_of");
            return config;
        }
    }

    /** Keys from {@link #FLAKY_JWKS}. */
    public static final class FlakyJwksProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = common();
            config.put("broker.auth.jwks-url", FLAKY_JWKS.uri().toString());
            return config;
        }
    }
}
