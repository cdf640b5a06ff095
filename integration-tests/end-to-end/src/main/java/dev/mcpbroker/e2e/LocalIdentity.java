package dev.mcpbroker.e2e;

import dev.mcpbroker.testkit.jwt.TestTokens;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whom a local broker trusts for agent tokens: the local development issuer (keys made at start, the public key
 * handed to the broker as a PEM file, tokens minted by {@link #tokens()}), or a real identity provider, whose keys
 * the broker fetches from its JWK Set as it does in AWS.
 */
public final class LocalIdentity {

    /** The development issuer's name; no such host exists. */
    public static final String DEV_ISSUER = "https://issuer.mcp-broker.local";
    /** The local broker's resource URL unless another audience is chosen. */
    public static final String DEFAULT_AUDIENCE = "https://mcp-broker.local";

    private final String issuer;
    private final URI jwksUrl;
    private final String audience;
    private final TestTokens tokens;
    private final Path publicKey;

    private LocalIdentity(String issuer, URI jwksUrl, String audience, TestTokens tokens, Path publicKey) {
        this.issuer = Objects.requireNonNull(issuer);
        this.jwksUrl = jwksUrl;
        this.audience = Objects.requireNonNull(audience);
        this.tokens = tokens;
        this.publicKey = publicKey;
    }

    /** The development issuer with fresh keys; its public key is written to {@code keyDir}. */
    public static LocalIdentity dev(String audience, Path keyDir) {
        TestTokens tokens = TestTokens.create(DEV_ISSUER, audience);
        Path pem = tokens.writePublicKeyPem(keyDir.resolve("issuer-rsa.pem"), TestTokens.KeyKind.RSA);
        return new LocalIdentity(DEV_ISSUER, null, audience, tokens, pem);
    }

    /** An identity provider: tokens from {@code issuer}, keys at {@code jwksUrl}, for {@code audience}. */
    public static LocalIdentity external(String issuer, URI jwksUrl, String audience) {
        return new LocalIdentity(issuer, Objects.requireNonNull(jwksUrl), audience, null, null);
    }

    public boolean isDev() {
        return tokens != null;
    }

    public String issuer() {
        return issuer;
    }

    public Optional<URI> jwksUrl() {
        return Optional.ofNullable(jwksUrl);
    }

    /** The broker's resource URL: the audience every token must carry. */
    public String audience() {
        return audience;
    }

    /** The development issuer's token factory. */
    public TestTokens tokens() {
        if (tokens == null) {
            throw new IllegalStateException("tokens come from " + issuer + ", not from the local development issuer");
        }
        return tokens;
    }

    /** The broker function's {@code broker.auth.*} settings, as environment variables. */
    public Map<String, String> brokerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BROKER_AUTH_RESOURCE", audience);
        env.put("BROKER_AUTH_ISSUER", issuer);
        if (jwksUrl != null) {
            env.put("BROKER_AUTH_JWKS_URL", jwksUrl.toString());
        } else {
            env.put("BROKER_AUTH_PUBLIC_KEY_LOCATION", publicKey.toString());
            env.put("BROKER_AUTH_ALGORITHMS", "RS256");
        }
        return env;
    }
}
