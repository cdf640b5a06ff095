package dev.mcpbroker.function.auth;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;

/**
 * Who acts and for whom, read from a verified token as {@link AuthConfig#identity()} says. Under RFC 8693
 * ({@code delegation}, the default) the subject {@code sub} is the user and the actor {@code act.sub} the agent; with
 * named {@code claims} each comes from a claim of its own. The agent becomes the identity the allowlist, sessions and
 * idempotency keys belong to; the user is recorded with it in every audit event and scopes idempotency records.
 */
final class TokenIdentity {

    private final AuthConfig config;

    TokenIdentity(AuthConfig config) {
        this.config = config;
    }

    AgentIdentity of(JwtClaims claims) {
        String tenant = text(claims.getClaimValue(config.tenantClaim()), config.tenantClaim(), false);
        return switch (config.identity()) {
            case DELEGATION -> delegation(claims, tenant);
            case CLAIMS -> {
                String agent = required(claims.getClaimValue(config.agentClaim()), config.agentClaim());
                String user = config.userClaim().map(claim -> subjectOf(claims.getClaimValue(claim), claim)).orElse(null);
                yield new AgentIdentity(agent, tenant, user);
            }
        };
    }

    private AgentIdentity delegation(JwtClaims claims, String tenant) {
        String subject = required(claims.getClaimValue("sub"), "sub");
        Object act = claims.getClaimValue(config.actorClaim());
        if (act == null) {
            return new AgentIdentity(subject, tenant, null); // the subject acts for itself
        }
        if (!(act instanceof Map<?, ?> actor)) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "claim '" + config.actorClaim() + "' is not an object naming the actor");
        }
        String agent = required(actor.get("sub"), config.actorClaim() + ".sub");
        return new AgentIdentity(agent, tenant, subject);
    }

    /** A claim naming someone: a string, or an object with a string {@code sub}; null when the claim is absent. */
    private static String subjectOf(Object value, String claim) {
        if (value instanceof Map<?, ?> object) {
            return text(object.get("sub"), claim + ".sub", false);
        }
        return text(value, claim, false);
    }

    private static String required(Object value, String claim) {
        String text = text(value, claim, true);
        if (text == null) {
            throw refuse(ErrorCode.TOKEN_IDENTITY_MISSING, "token has no '" + claim + "' claim naming the agent");
        }
        return text;
    }

    private static String text(Object value, String claim, boolean naming) {
        if (value == null) {
            return null;
        }
        if (value instanceof String text && !text.isBlank()) {
            return text;
        }
        throw refuse(naming ? ErrorCode.TOKEN_IDENTITY_MISSING : ErrorCode.TOKEN_MALFORMED,
                "claim '" + claim + "' is not a non-blank string");
    }

    private static BrokerException refuse(ErrorCode code, String message) {
        return new BrokerException(code, message);
    }
}
