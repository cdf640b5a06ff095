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
     * The claim naming the agent: {@code sub} (default), or {@code azp} / {@code client_id} when the issuer
     * puts the OAuth client there. Must be a non-blank string.
     */
    @WithDefault("sub")
    String agentClaim();

    /** The claim naming the tenant; optional in tokens (the allowlist decides when it is absent). */
    @WithDefault("tenant")
    String tenantClaim();

    /**
     * The claim naming the user the agent acts for, kept for audit: an object whose {@code sub} is the user
     * (RFC 8693 style, {@code "act": {"sub": "alice@example.com"}}) or a plain string. Optional in tokens.
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
