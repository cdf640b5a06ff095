package dev.mcpbroker.function.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How agents authenticate ({@code broker.auth.*}): every request carries {@code Authorization: Bearer <JWT>}
 * issued by {@link #issuer()} for the audience {@link #resource()}, signed with an asymmetric key published at
 * {@link #jwksUrl()} (or, for local runs, the single public key in {@link #publicKeyLocation()}). Set as
 * environment variables in the usual form, e.g. {@code BROKER_AUTH_JWKS_URL}.
 */
@ConfigMapping(prefix = "broker.auth")
public interface AuthConfig {

    /**
     * The broker's resource identifier, e.g. {@code https://broker.example.com}: the audience every token must
     * name in {@code aud} (compared exactly), and the {@code resource} of the RFC 9728 metadata.
     */
    URI resource();

    /** The authorization server; tokens must carry exactly this {@code iss}. */
    String issuer();

    /**
     * Where the issuer publishes its JWK Set, e.g. {@code https://idp.example.com/.well-known/jwks.json}. Keys
     * are selected by the token's {@code kid} and cached for {@link #jwksCacheTtl()}. Exactly one of this and
     * {@link #publicKeyLocation()} must be set.
     */
    Optional<URI> jwksUrl();

    /**
     * A PEM public key ({@code -----BEGIN PUBLIC KEY-----}, RSA or EC) as a file path or {@code classpath:}
     * resource, for local runs without an identity provider. Read once at startup.
     */
    Optional<String> publicKeyLocation();

    /**
     * Accepted JWS algorithms. Asymmetric only ({@code RS*}, {@code PS*}, {@code ES*}, {@code EdDSA}): the
     * function refuses to start when {@code none} or an {@code HS*} algorithm is configured. Tokens whose
     * header names any other algorithm are refused before their signature is looked at.
     */
    @WithDefault("RS256,ES256")
    List<String> algorithms();

    /** Tolerance for {@code exp}, {@code nbf} between the issuer's clock and this function's clock. */
    @WithDefault("PT30S")
    Duration clockSkew();

    /** Longest accepted token (the part after {@code Bearer }), in bytes; longer ones are refused unparsed. */
    @WithDefault("8192")
    int maxTokenBytes();

    /**
     * How a token names who acts (the agent, recorded as {@code agentId}) and for whom (the user, recorded as
     * {@code onBehalfOf}).
     */
    @WithDefault("delegation")
    IdentityMapping identity();

    /** The ways a token can name the agent and the user. */
    enum IdentityMapping {
        /**
         * RFC 8693: {@code sub} is the subject, the user the call is made for, and {@code act.sub} the actor, the
         * agent making it. A token without {@code act} is the subject acting for itself: the agent is {@code sub}
         * and there is no separate user.
         */
        DELEGATION,
        /**
         * Named claims: the agent is {@link #agentClaim()} ({@code sub}, or {@code azp} / {@code client_id} when one
         * OAuth client acts for many users) and the user {@link #userClaim()}, if one is configured.
         */
        CLAIMS
    }

    /**
     * With {@code identity=claims}: the claim naming the agent, {@code sub} (default), or {@code azp} /
     * {@code client_id} when the issuer puts the OAuth client there. Must be a non-blank string.
     */
    @WithDefault("sub")
    String agentClaim();

    /**
     * With {@code identity=claims}: the claim naming the user the agent acts for (e.g. {@code sub} when the agent
     * is {@code azp}); a string, or an object with a string {@code sub}. None when empty.
     */
    Optional<String> userClaim();

    /** The claim naming the tenant; optional in tokens (the allowlist decides when it is absent). */
    @WithDefault("tenant")
    String tenantClaim();

    /**
     * With {@code identity=delegation}: the claim naming the actor, RFC 8693's {@code act}: an object whose
     * {@code sub} is the agent ({@code "act": {"sub": "agent-a"}}). Optional in tokens.
     */
    @WithDefault("act")
    String actorClaim();

    /**
     * How long a fetched JWK Set is used before it is fetched again (unless the response's
     * {@code Cache-Control: max-age} says otherwise). A token with an unknown {@code kid} triggers an early
     * refetch at most once per 30 seconds, so rotated keys are picked up without a flood of fetches. When a
     * refetch fails, the cached keys stay in use for one more lifetime; with no keys cached, tokens are answered
     * with {@code authentication_unavailable} (503) until a fetch succeeds.
     */
    @WithDefault("PT10M")
    Duration jwksCacheTtl();
}
