package dev.mcpbroker.function.auth;

import static dev.mcpbroker.function.auth.JwtTestSetup.FLAKY_JWKS;
import static dev.mcpbroker.function.auth.JwtTestSetup.TOKENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The identity provider's key set cannot be fetched: the token is not judged, the caller may retry. */
@QuarkusTest
@TestProfile(JwtTestSetup.FlakyJwksProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwtAgentAuthenticatorJwksDownTest {

    @Inject
    JwtAgentAuthenticator authenticator;

    @Test
    @Order(1)
    void unreachableKeySetIsAuthenticationUnavailableAndServiceResumesWhenItIsBack() {
        FLAKY_JWKS.failWith(503);
        try {
            int before = FLAKY_JWKS.requestCount();
            String token = TOKENS.forAgent("agent-a").sign();
            for (int i = 0; i < 2; i++) {
                BrokerException e = catchThrowableOfType(BrokerException.class,
                        () -> authenticator.authenticate("Bearer " + token, "payments"));
                assertThat(e).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_UNAVAILABLE);
                assertThat(e.code().httpStatus()).isEqualTo(503);
                assertThat(e.failureClass()).isEqualTo(FailureClass.NOT_EXECUTED);
                assertThat(e.getMessage()).doesNotContain(token.split("\\.")[1]);
                assertThat(e.getCause()).isNotNull().hasMessageNotContaining(token.split("\\.")[1]);
            }
            // every attempt really went to the key set (no failure cached), with one quick retry at most
            assertThat(FLAKY_JWKS.requestCount() - before).isBetween(2, 4);

            // structural refusals still work without keys
            BrokerException none = catchThrowableOfType(BrokerException.class,
                    () -> authenticator.authenticate("Bearer " + TOKENS.forAgent("agent-a").unsigned(), "payments"));
            assertThat(none.code()).isEqualTo(ErrorCode.TOKEN_ALGORITHM_REFUSED);
        } finally {
            FLAKY_JWKS.failWith(0);
        }
        assertThat(authenticator.authenticate("Bearer " + TOKENS.forAgent("agent-a").sign(), "payments").agentId()).isEqualTo("agent-a");
    }

    @Test
    @Order(2)
    void cachedKeysOutliveAnOutage() {
        FLAKY_JWKS.failWith(503);
        try {
            assertThat(authenticator.authenticate("Bearer " + TOKENS.forAgent("agent-b").signEs256(), "payments").agentId())
                    .isEqualTo("agent-b");
        } finally {
            FLAKY_JWKS.failWith(0);
        }
    }
}
