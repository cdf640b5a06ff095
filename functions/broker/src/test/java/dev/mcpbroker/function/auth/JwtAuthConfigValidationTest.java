package dev.mcpbroker.function.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unsafe configurations stop the function: the authenticator is a startup bean, so these constructor failures
 * are startup failures.
 */
class JwtAuthConfigValidationTest {

    private static FixedAuthConfig keys(Optional<URI> jwksUrl, Optional<String> pem, List<String> algorithms) {
        FixedAuthConfig base = jwks("https://idp.example.com/jwks", "RS256");
        return new FixedAuthConfig(base.resource(), base.issuer(), jwksUrl, pem, algorithms, base.clockSkew(),
                base.maxTokenBytes(), base.identity(), base.agentClaim(), base.userClaim(), base.tenantClaim(),
                base.actorClaim(), base.jwksCacheTtl());
    }

    private static FixedAuthConfig jwks(String url, String... algorithms) {
        return FixedAuthConfig.jwks("https://broker.example.com", "https://idp.example.com", URI.create(url), List.of(algorithms));
    }

    @Test
    void symmetricNoneAndUnknownAlgorithmsAreRefused() {
        for (String alg : List.of("HS256", "HS384", "HS512", "none", "None", "rs256", "XY999", "")) {
            assertThatThrownBy(() -> new JwtAgentAuthenticator(jwks("https://idp.example.com/jwks", "RS256", alg)))
                    .as(alg).isInstanceOf(IllegalStateException.class).hasMessageContaining("broker.auth.algorithms");
        }
    }

    @Test
    void asymmetricAlgorithmsAreAccepted() {
        new JwtAgentAuthenticator(jwks("https://idp.example.com/jwks", "RS256", "RS512", "PS256", "ES256", "ES384", "EdDSA"));
        assertThat(JwtAgentAuthenticator.acceptedAlgorithms(List.of(" ES256 "))).hasSize(1);
    }

    @Test
    void exactlyOneKeySourceIsRequired(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new JwtAgentAuthenticator(keys(Optional.empty(), Optional.empty(), List.of("RS256"))))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new JwtAgentAuthenticator(keys(Optional.of(URI.create("https://idp.example.com/jwks")),
                Optional.of("/tmp/key.pem"), List.of("RS256"))))
                .hasMessageContaining("exactly one");
    }

    @Test
    void plainHttpKeySetIsAllowedOnLoopbackOnly() {
        new JwtAgentAuthenticator(jwks("http://127.0.0.1:8080/jwks.json", "RS256"));
        new JwtAgentAuthenticator(jwks("http://localhost:8080/jwks.json", "RS256"));
        assertThatThrownBy(() -> new JwtAgentAuthenticator(jwks("http://idp.example.com/jwks.json", "RS256")))
                .hasMessageContaining("https");
        assertThatThrownBy(() -> new JwtAgentAuthenticator(jwks("file:///etc/jwks.json", "RS256")))
                .hasMessageContaining("https");
    }

    @Test
    void unreadableOrNonPemKeyFileIsRefused(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> new JwtAgentAuthenticator(keys(Optional.empty(), Optional.of(missing.toString()),
                List.of("RS256")))).isInstanceOf(IllegalStateException.class);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> new JwtAgentAuthenticator(keys(Optional.empty(), Optional.of(garbage.toString()),
                List.of("RS256")))).hasMessageContaining("not an RSA, EC or Ed25519 public key");
        Path pem = JwtTestSetup.TOKENS.writePublicKeyPem(dir.resolve("ec.pem"), dev.mcpbroker.testkit.jwt.TestTokens.KeyKind.EC);
        new JwtAgentAuthenticator(keys(Optional.empty(), Optional.of(pem.toString()), List.of("ES256")));
    }
}
