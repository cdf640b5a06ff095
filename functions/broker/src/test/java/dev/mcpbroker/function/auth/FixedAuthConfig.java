package dev.mcpbroker.function.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An {@link AuthConfig} with fixed values, for building the authenticator outside Quarkus. */
public record FixedAuthConfig(URI resource, String issuer, Optional<URI> jwksUrl, Optional<String> publicKeyLocation,
                              List<String> algorithms, Duration clockSkew, int maxTokenBytes, IdentityMapping identity,
                              String agentClaim, Optional<String> userClaim, String tenantClaim, String actorClaim,
                              Duration jwksCacheTtl) implements AuthConfig {

    /** The documented defaults, with keys from a JWK Set. */
    public static FixedAuthConfig jwks(String resource, String issuer, URI jwksUrl, List<String> algorithms) {
        return new FixedAuthConfig(URI.create(resource), issuer, Optional.of(jwksUrl), Optional.empty(), algorithms,
                Duration.ofSeconds(30), 8192, IdentityMapping.DELEGATION, "sub", Optional.empty(), "tenant", "act",
                Duration.ofMinutes(10));
    }

    /** The same, reading agent and user from named claims. */
    public FixedAuthConfig withClaims(String agent, String user) {
        return new FixedAuthConfig(resource, issuer, jwksUrl, publicKeyLocation, algorithms, clockSkew, maxTokenBytes,
                IdentityMapping.CLAIMS, agent, Optional.ofNullable(user), tenantClaim, actorClaim, jwksCacheTtl);
    }

    /** The documented defaults, with the key from a PEM file. */
    public static FixedAuthConfig pem(String resource, String issuer, Path publicKey, List<String> algorithms) {
        return new FixedAuthConfig(URI.create(resource), issuer, Optional.empty(), Optional.of(publicKey.toString()),
                algorithms, Duration.ofSeconds(30), 8192, IdentityMapping.DELEGATION, "sub", Optional.empty(), "tenant", "act",
                Duration.ofMinutes(10));
    }
}
