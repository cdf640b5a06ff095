package dev.mcpbroker.function.priming;

import dev.mcpbroker.function.auth.AuthConfig;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * An identity provider that exists for one priming: RSA and EC keys made on the spot and forgotten afterwards,
 * tokens signed with them, and the configuration of an authenticator that trusts them (and nothing else). The
 * broker's own authenticator never sees these keys.
 */
final class ThrowawayIssuer {

    static final String ISSUER = "urn:mcp-broker:priming";
    static final URI RESOURCE = URI.create("https://priming.invalid");
    static final String SERVER = "priming";

    private final KeyPair rsa;
    private final KeyPair ec;

    ThrowawayIssuer() {
        try {
            KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
            rsaGenerator.initialize(2048);
            rsa = rsaGenerator.generateKeyPair();
            KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
            ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
            ec = ecGenerator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no throwaway keys", e);
        }
    }

    /** The public keys as a JWK Set, as an identity provider publishes them. */
    String jwks() {
        try {
            RsaJsonWebKey rsaKey = new RsaJsonWebKey((RSAPublicKey) rsa.getPublic());
            rsaKey.setKeyId("priming-rsa");
            rsaKey.setUse("sig");
            EllipticCurveJsonWebKey ecKey = new EllipticCurveJsonWebKey((ECPublicKey) ec.getPublic());
            ecKey.setKeyId("priming-ec");
            ecKey.setUse("sig");
            return new JsonWebKeySet(List.<JsonWebKey>of(rsaKey, ecKey)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot publish the throwaway keys", e);
        }
    }

    /** A bearer token of an agent acting for a user, signed RS256 ({@code rsa}) or ES256. */
    String token(boolean rsaSigned) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(RESOURCE + "/mcp/" + SERVER);
        claims.setSubject("priming-user");
        claims.setClaim("act", Map.of("sub", "priming-agent"));
        claims.setClaim("tenant", "priming");
        claims.setIssuedAtToNow();
        claims.setNotBeforeMinutesInThePast(1);
        claims.setExpirationTimeMinutesInTheFuture(5);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(rsaSigned ? rsa.getPrivate() : ec.getPrivate());
        jws.setKeyIdHeaderValue(rsaSigned ? "priming-rsa" : "priming-ec");
        jws.setAlgorithmHeaderValue(rsaSigned ? AlgorithmIdentifiers.RSA_USING_SHA256
                : AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a throwaway token", e);
        }
    }

    /** An authenticator configuration trusting only this issuer, its keys fetched from {@code jwksUrl}. */
    static AuthConfig trustedAt(URI jwksUrl) {
        return new AuthConfig() {
            @Override public URI resource() { return RESOURCE; }
            @Override public String issuer() { return ISSUER; }
            @Override public Optional<URI> jwksUrl() { return Optional.of(jwksUrl); }
            @Override public Optional<String> publicKeyLocation() { return Optional.empty(); }
            @Override public List<String> algorithms() { return List.of("RS256", "ES256"); }
            @Override public Duration clockSkew() { return Duration.ofSeconds(30); }
            @Override public int maxTokenBytes() { return 8192; }
            @Override public IdentityMapping identity() { return IdentityMapping.DELEGATION; }
            @Override public String agentClaim() { return "sub"; }
            @Override public Optional<String> userClaim() { return Optional.empty(); }
            @Override public String tenantClaim() { return "tenant"; }
            @Override public String actorClaim() { return "act"; }
            @Override public Duration jwksCacheTtl() { return Duration.ofMinutes(10); }
        };
    }
}
