package dev.mcpbroker.function.auth;

import static dev.mcpbroker.function.auth.JwtTestSetup.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Local runs: one RSA public key from a PEM file, and the agent named by {@code azp} instead of {@code sub}. */
@QuarkusTest
@TestProfile(JwtTestSetup.PemAzpProfile.class)
class JwtAgentAuthenticatorPemTest {

    @Inject
    JwtAgentAuthenticator authenticator;

    private ErrorCode refusal(String token) {
        BrokerException e = catchThrowableOfType(BrokerException.class, () -> authenticator.authenticate("Bearer " + token, "payments"));
        assertThat(e).isNotNull();
        return e.code();
    }

    @Test
    void agentTenantAndUserComeFromTheConfiguredClaims() {
        AgentIdentity identity = authenticator.authenticate("Bearer " + TOKENS.forAgent("user-sub")
                .claim("azp", "agent-client").claim("org", "t9").claim("on_behalf_of", "dora@example.com")
                .tenant("ignored").actingFor("ignored@example.com").sign(), "payments");

        assertThat(identity).isEqualTo(new AgentIdentity("agent-client", "t9", "dora@example.com"));
    }

    @Test
    void tokenWithoutTheConfiguredAgentClaimIsIdentityMissingEvenWithASub() {
        assertThat(refusal(TOKENS.forAgent("agent-a").sign())).isEqualTo(ErrorCode.TOKEN_IDENTITY_MISSING);
    }

    @Test
    void thePemKeyIsUsedWhateverTheKid() {
        assertThat(authenticator.authenticate("Bearer " + TOKENS.withoutAgent().claim("azp", "a").kid("anything").sign(), "payments")
                .agentId()).isEqualTo("a");
    }

    @Test
    void signaturesByOtherKeysAreRefused() {
        // the EC key is not the configured key: ES256 is an accepted algorithm but the RSA key cannot verify it
        assertThat(refusal(TOKENS.withoutAgent().claim("azp", "a").signEs256())).isEqualTo(ErrorCode.TOKEN_SIGNATURE_INVALID);
        assertThat(refusal(TOKENS.withoutAgent().claim("azp", "a").tampered(c -> c.put("azp", "b"))))
                .isEqualTo(ErrorCode.TOKEN_SIGNATURE_INVALID);
        assertThat(refusal(TOKENS.withoutAgent().claim("azp", "a").signHs256WithRsaPublicKeyPem()))
                .isEqualTo(ErrorCode.TOKEN_ALGORITHM_REFUSED);
    }
}
