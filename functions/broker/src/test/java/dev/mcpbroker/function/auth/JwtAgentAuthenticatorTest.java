package dev.mcpbroker.function.auth;

import static dev.mcpbroker.function.auth.JwtTestSetup.JWKS;
import static dev.mcpbroker.function.auth.JwtTestSetup.RESOURCE;
import static dev.mcpbroker.function.auth.JwtTestSetup.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.testkit.jwt.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Every way a bearer token is accepted or refused, against keys served by a real JWKS endpoint. */
@QuarkusTest
@TestProfile(JwtTestSetup.JwksProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwtAgentAuthenticatorTest {

    @Inject
    JwtAgentAuthenticator authenticator;

    private AgentIdentity accept(String token) {
        return authenticator.authenticate("Bearer " + token, "payments");
    }

    /** Asserts the refusal and that its message gives nothing of the token away. */
    private BrokerException refuse(String header, ErrorCode expected) {
        BrokerException e = catchThrowableOfType(BrokerException.class, () -> authenticator.authenticate(header, "payments"));
        assertThat(e).as("refusal of %s", header == null ? "null" : header.length() > 80 ? header.substring(0, 80) : header)
                .isNotNull();
        assertThat(e.code()).isEqualTo(expected);
        assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(200);
        if (header != null) {
            for (String part : header.replaceFirst("(?i)^bearer ", "").split("\\.")) {
                if (part.length() >= 8) {
                    assertThat(e.getMessage()).doesNotContain(part);
                }
            }
        }
        return e;
    }

    private BrokerException refuseToken(String token, ErrorCode expected) {
        return refuse("Bearer " + token, expected);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- caching first: nothing else in this class may have fetched the key set yet ------------------------------

    @Test
    @Order(1)
    void keySetIsFetchedOnceForManyVerificationsAndNotRefetchedForForgedKeyIds() {
        int before = JWKS.requestCount();
        for (int i = 0; i < 50; i++) {
            assertThat(accept(TOKENS.forAgent("agent-" + i).sign()).agentId()).isEqualTo("agent-" + i);
            assertThat(accept(TOKENS.forAgent("agent-" + i).signEs256()).agentId()).isEqualTo("agent-" + i);
        }
        // one fetch for 100 verifications (none if another test class of this profile fetched the set already)
        assertThat(JWKS.requestCount()).isPositive();
        assertThat(JWKS.requestCount() - before).isLessThanOrEqualTo(1);
        before = JWKS.requestCount();

        // An unknown kid may refetch the set once (rotation); further unknown kids within 30 s do not.
        refuseToken(TOKENS.forAgent("agent-a").kid("rotated-1").sign(), ErrorCode.TOKEN_KEY_UNKNOWN);
        int afterFirstUnknown = JWKS.requestCount();
        assertThat(afterFirstUnknown - before).isBetween(0, 1);
        for (int i = 0; i < 20; i++) {
            refuseToken(TOKENS.forAgent("agent-a").kid("forged-" + i).sign(), ErrorCode.TOKEN_KEY_UNKNOWN);
        }
        assertThat(JWKS.requestCount()).isEqualTo(afterFirstUnknown);
    }

    // ---- accepted ---------------------------------------------------------------------------------------------

    @Test
    void rs256TokenGivesAgentTenantAndUser() {
        AgentIdentity identity = accept(TOKENS.forAgent("agent-a").tenant("t1").actingFor("alice@example.com").sign());

        assertThat(identity).isEqualTo(new AgentIdentity("agent-a", "t1", "alice@example.com"));
    }

    @Test
    void es256TokenGivesAgentTenantAndUser() {
        AgentIdentity identity = accept(TOKENS.forAgent("agent-b").tenant("t2").actingFor("bob@example.com").signEs256());

        assertThat(identity).isEqualTo(new AgentIdentity("agent-b", "t2", "bob@example.com"));
    }

    @Test
    void aTokenWithoutActorIsItsSubjectActingForItselfAndTheTenantIsOptional() {
        assertThat(accept(TOKENS.forAgent("agent-a").sign())).isEqualTo(new AgentIdentity("agent-a", null, null));
    }

    @Test
    void underDelegationTheActorIsTheAgentAndTheSubjectTheUserItActsFor() {
        // RFC 8693: sub = the user the call is made for, act.sub = the agent making it
        String token = TOKENS.forAgent("alice@example.com").claim("act", Map.of("sub", "agent-a")).sign();

        assertThat(accept(token)).isEqualTo(new AgentIdentity("agent-a", null, "alice@example.com"));
    }

    @Test
    void anActorClaimThatNamesNoActorIsRefused() {
        refuseToken(TOKENS.forAgent("agent-a").claim("act", "carol@example.com").sign(), ErrorCode.TOKEN_MALFORMED);
        refuseToken(TOKENS.forAgent("agent-a").claim("act", Map.of("client_id", "x")).sign(), ErrorCode.TOKEN_IDENTITY_MISSING);
    }

    @Test
    void withNamedClaimsAClientActingForManyUsersIsTheAgentAndItsSubjectTheUser() {
        JwtAgentAuthenticator byClaims = new JwtAgentAuthenticator(FixedAuthConfig.jwks(RESOURCE, JwtTestSetup.ISSUER,
                JWKS.uri(), java.util.List.of("RS256", "ES256")).withClaims("azp", "sub"));

        AgentIdentity identity = byClaims.authenticate("Bearer " + TOKENS.forAgent("alice@example.com")
                .claim("azp", "support-bot").tenant("t1").sign(), "payments");

        assertThat(identity).isEqualTo(new AgentIdentity("support-bot", "t1", "alice@example.com"));
    }

    @Test
    void schemeIsCaseInsensitiveAndAudienceMayBeAList() {
        assertThat(authenticator.authenticate("bearer " + TOKENS.forAgent("agent-a").sign(), "payments").agentId()).isEqualTo("agent-a");
        assertThat(accept(TOKENS.forAgent("agent-a").audience("https://other.example.com", RESOURCE).sign()).agentId())
                .isEqualTo("agent-a");
    }

    @Test
    void tokenWithoutKidIsVerifiedWithTheMatchingKeyType() {
        assertThat(accept(TOKENS.forAgent("agent-a").withoutKid().sign()).agentId()).isEqualTo("agent-a");
        assertThat(accept(TOKENS.forAgent("agent-a").withoutKid().signEs256()).agentId()).isEqualTo("agent-a");
    }

    @Test
    void timesWithinTheClockSkewAreAccepted() {
        Instant fiveMinutesAgo = Instant.now().minus(Duration.ofMinutes(5));
        assertThat(accept(TOKENS.forAgent("agent-a").issuedAt(fiveMinutesAgo).expiresIn(Duration.ofSeconds(-10)).sign())
                .agentId()).isEqualTo("agent-a");
        assertThat(accept(TOKENS.forAgent("agent-a").issuedAt(fiveMinutesAgo).expiresIn(Duration.ofSeconds(-10)).signEs256())
                .agentId()).isEqualTo("agent-a");
        assertThat(accept(TOKENS.forAgent("agent-a").notBeforeIn(Duration.ofSeconds(10)).sign()).agentId())
                .isEqualTo("agent-a");
    }

    // ---- refused before any cryptography ----------------------------------------------------------------------

    @Test
    void missingHeaderIsTokenMissing() {
        refuse(null, ErrorCode.TOKEN_MISSING);
        refuse("", ErrorCode.TOKEN_MISSING);
        refuse("   ", ErrorCode.TOKEN_MISSING);
    }

    @Test
    void headerThatIsNotBearerIsMalformed() {
        String token = TOKENS.forAgent("agent-a").sign();
        refuse("Basic YWdlbnQ6c2VjcmV0", ErrorCode.TOKEN_MALFORMED);
        refuse(token, ErrorCode.TOKEN_MALFORMED);
        refuse("Bearer", ErrorCode.TOKEN_MALFORMED);
        refuse("Bearer ", ErrorCode.TOKEN_MALFORMED);
        refuse("Bearer " + token + " extra", ErrorCode.TOKEN_MALFORMED);
        refuse("Bearer " + token + "," + token, ErrorCode.TOKEN_MALFORMED);
    }

    @Test
    void tokenThatIsNotACompactJwsIsMalformed() {
        String[] parts = TOKENS.forAgent("agent-a").sign().split("\\.");
        refuseToken("not-a-jwt", ErrorCode.TOKEN_MALFORMED);
        refuseToken(parts[0] + "." + parts[1], ErrorCode.TOKEN_MALFORMED);
        refuseToken(parts[0] + "." + parts[1] + "." + parts[2] + ".x.y", ErrorCode.TOKEN_MALFORMED); // JWE shape
        refuseToken("." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
        refuseToken(parts[0] + "+/." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED); // base64, not base64url
        refuseToken(b64("not json") + "." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
        refuseToken(b64("[\"RS256\"]") + "." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
        refuseToken(b64("{\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
        refuseToken(b64("{\"alg\":\"RS256\",\"alg\":\"none\"}") + "." + parts[1] + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
    }

    @Test
    void payloadThatIsNotJsonIsMalformed() {
        String[] parts = TOKENS.forAgent("agent-a").sign().split("\\.");
        refuseToken(parts[0] + "." + b64("not json") + "." + parts[2], ErrorCode.TOKEN_MALFORMED);
    }

    @Test
    void oversizedTokenIsRefusedUnparsedAndWithoutFetchingKeys() {
        String token = TOKENS.forAgent("agent-a").padded(20_000).sign();
        assertThat(token.length()).isGreaterThan(20_000);
        int before = JWKS.requestCount();

        refuseToken(token, ErrorCode.TOKEN_TOO_LARGE);
        refuseToken("x".repeat(8193), ErrorCode.TOKEN_TOO_LARGE);
        assertThat(JWKS.requestCount()).isEqualTo(before);
    }

    @Test
    void algNoneIsRefused() {
        refuseToken(TOKENS.forAgent("agent-a").unsigned(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
        refuseToken(TOKENS.forAgent("agent-a").header("alg", "None").unsigned(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
        // "none" with a signature appended is still none
        String[] parts = TOKENS.forAgent("agent-a").sign().split("\\.");
        refuseToken(TOKENS.forAgent("agent-a").unsigned() + parts[2], ErrorCode.TOKEN_ALGORITHM_REFUSED);
    }

    @Test
    void hs256SignedWithThePublicKeyIsRefused() {
        refuseToken(TOKENS.forAgent("agent-a").signHs256WithRsaPublicKey(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
        refuseToken(TOKENS.forAgent("agent-a").signHs256WithRsaPublicKeyPem(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
    }

    @Test
    void asymmetricAlgorithmsThatAreNotConfiguredAreRefused() {
        refuseToken(TOKENS.forAgent("agent-a").header("alg", "PS256").sign(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
        refuseToken(TOKENS.forAgent("agent-a").header("alg", "rs256").sign(), ErrorCode.TOKEN_ALGORITHM_REFUSED);
        refuseToken(TOKENS.forAgent("agent-a").header("alg", 256).sign(), ErrorCode.TOKEN_MALFORMED);
    }

    // ---- refused by verification ------------------------------------------------------------------------------

    @Test
    void tamperedPayloadIsASignatureFailure() {
        refuseToken(TOKENS.forAgent("agent-a").tampered(), ErrorCode.TOKEN_SIGNATURE_INVALID);
        refuseToken(TOKENS.forAgent("agent-a").tenant("t1").tampered(c -> c.put("tenant", "t2")),
                ErrorCode.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void missingOrForeignSignatureIsASignatureFailure() {
        String token = TOKENS.forAgent("agent-a").sign();
        refuseToken(token.substring(0, token.lastIndexOf('.') + 1), ErrorCode.TOKEN_SIGNATURE_INVALID);
        // a valid ES256 signature presented under the RSA key's header
        String es = TOKENS.forAgent("agent-a").signEs256();
        String[] parts = token.split("\\.");
        refuseToken(parts[0] + "." + parts[1] + "." + es.split("\\.")[2], ErrorCode.TOKEN_SIGNATURE_INVALID);
        // signed by a different key that claims the published kid
        TestTokens impostor = TestTokens.create(JwtTestSetup.ISSUER, RESOURCE);
        refuseToken(impostor.forAgent("agent-a").sign(), ErrorCode.TOKEN_SIGNATURE_INVALID);
        refuseToken(impostor.forAgent("agent-a").signEs256(), ErrorCode.TOKEN_SIGNATURE_INVALID);
    }

    @Test
    void unknownKidIsKeyUnknown() {
        refuseToken(TOKENS.forAgent("agent-a").kid("not-in-the-set").sign(), ErrorCode.TOKEN_KEY_UNKNOWN);
        // the RSA token naming the EC key: no RSA key has that kid
        refuseToken(TOKENS.forAgent("agent-a").kid(TestTokens.EC_KID).sign(), ErrorCode.TOKEN_KEY_UNKNOWN);
    }

    @Test
    void expiredTokenIsExpired() {
        refuseToken(TOKENS.forAgent("agent-a").expiresIn(Duration.ofMinutes(-5)).sign(), ErrorCode.TOKEN_EXPIRED);
        refuseToken(TOKENS.forAgent("agent-a").expiresIn(Duration.ofSeconds(-45)).signEs256(), ErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void tokenNotValidYetBeyondTheSkewIsNotYetValid() {
        refuseToken(TOKENS.forAgent("agent-a").notBeforeIn(Duration.ofMinutes(5)).sign(), ErrorCode.TOKEN_NOT_YET_VALID);
        refuseToken(TOKENS.forAgent("agent-a").notBeforeIn(Duration.ofSeconds(45)).sign(), ErrorCode.TOKEN_NOT_YET_VALID);
    }

    @Test
    void wrongOrMissingIssuerIsIssuerInvalid() {
        refuseToken(TOKENS.forAgent("agent-a").issuer("https://evil.example.com").sign(), ErrorCode.TOKEN_ISSUER_INVALID);
        refuseToken(TOKENS.forAgent("agent-a").without("iss").sign(), ErrorCode.TOKEN_ISSUER_INVALID);
    }

    @Test
    void tokenForThisServersEndpointIsAcceptedButNotForAnotherServers() {
        assertThat(accept(TOKENS.forAgent("agent-a").audience(RESOURCE + "/mcp/payments").sign()).agentId()).isEqualTo("agent-a");
        refuseToken(TOKENS.forAgent("agent-a").audience(RESOURCE + "/mcp/search").sign(), ErrorCode.TOKEN_AUDIENCE_INVALID);
    }

    @Test
    void wrongOrMissingAudienceIsAudienceInvalid() {
        refuseToken(TOKENS.forAgent("agent-a").audience("https://other.example.com").sign(), ErrorCode.TOKEN_AUDIENCE_INVALID);
        refuseToken(TOKENS.forAgent("agent-a").audience(RESOURCE + "/").sign(), ErrorCode.TOKEN_AUDIENCE_INVALID);
        refuseToken(TOKENS.forAgent("agent-a").without("aud").sign(), ErrorCode.TOKEN_AUDIENCE_INVALID);
    }

    @Test
    void tokenWithoutExpiryOrIssuedAtOrWithIssuedAtAfterExpiryIsMalformed() {
        refuseToken(TOKENS.forAgent("agent-a").without("exp").sign(), ErrorCode.TOKEN_MALFORMED);
        refuseToken(TOKENS.forAgent("agent-a").without("iat").sign(), ErrorCode.TOKEN_MALFORMED);
        refuseToken(TOKENS.forAgent("agent-a").issuedAt(Instant.now().plus(Duration.ofMinutes(10))).sign(),
                ErrorCode.TOKEN_MALFORMED);
    }

    // ---- refused after verification ---------------------------------------------------------------------------

    @Test
    void missingOrBlankAgentIsIdentityMissing() {
        refuseToken(TOKENS.withoutAgent().tenant("t1").sign(), ErrorCode.TOKEN_IDENTITY_MISSING);
        refuseToken(TOKENS.forAgent("  ").sign(), ErrorCode.TOKEN_IDENTITY_MISSING);
        // sub is a registered claim: jose4j itself refuses one that is not a string
        refuseToken(TOKENS.withoutAgent().claim("sub", 42).sign(), ErrorCode.TOKEN_MALFORMED);
    }

    @Test
    void tenantOrActorOfTheWrongShapeIsMalformed() {
        refuseToken(TOKENS.forAgent("agent-a").claim("tenant", 7).sign(), ErrorCode.TOKEN_MALFORMED);
        refuseToken(TOKENS.forAgent("agent-a").claim("act", java.util.List.of("alice")).sign(), ErrorCode.TOKEN_MALFORMED);
    }
}
