package dev.mcpbroker.testkit.jwt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A test identity provider: an RSA 2048 key ({@code RS256}) and an EC P-256 key ({@code ES256}), each with a key
 * id, and JWTs minted by hand ({@code base64url(header).base64url(payload).base64url(signature)} with
 * {@code java.security} only) so that tests can mint hostile tokens as easily as good ones:
 *
 * <pre>{@code
 * TestTokens tokens = TestTokens.create("https://idp.example.com", "https://broker.example.com");
 * String good = tokens.forAgent("agent-a").tenant("t1").actingFor("alice@example.com").sign();
 * String es = tokens.forAgent("agent-a").signEs256();
 * String none = tokens.forAgent("agent-a").unsigned();                  // alg none, empty signature
 * String confused = tokens.forAgent("agent-a").signHs256WithRsaPublicKey(); // key-confusion attack
 * String tampered = tokens.forAgent("agent-a").tampered(c -> c.put("sub", "admin"));
 * String expired = tokens.forAgent("agent-a").expiresIn(Duration.ofMinutes(-5)).sign();
 * }</pre>
 *
 * <p>The public keys can be written as PEM ({@link #writePublicKeyPem}) or rendered as a JWKS ({@link #jwksJson()},
 * served by {@link JwksServer}). Every token carries {@code iss}, {@code aud}, {@code sub}, {@code iat} and
 * {@code exp} unless the builder removes them.
 */
public final class TestTokens {

    /** Which of the two signing keys. */
    public enum KeyKind { RSA, EC }

    public static final String RSA_KID = "test-rsa-1";
    public static final String EC_KID = "test-ec-1";
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

    private final KeyPair rsa;
    private final KeyPair ec;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    private TestTokens(KeyPair rsa, KeyPair ec, String issuer, String audience, Clock clock) {
        this.rsa = rsa;
        this.ec = ec;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /** Fresh keys; tokens get this issuer and audience unless the builder says otherwise. */
    public static TestTokens create(String issuer, String audience) {
        return create(issuer, audience, Clock.systemUTC());
    }

    public static TestTokens create(String issuer, String audience, Clock clock) {
        try {
            KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
            rsaGenerator.initialize(2048);
            KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
            ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
            return new TestTokens(rsaGenerator.generateKeyPair(), ecGenerator.generateKeyPair(),
                    Objects.requireNonNull(issuer, "issuer"), Objects.requireNonNull(audience, "audience"), clock);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate test keys", e);
        }
    }

    /**
     * The keys registered under {@code name} in this JVM, created on first use. Use this when the same keys are
     * needed from several class loaders: Quarkus instantiates a {@code QuarkusTestProfile} in a different class
     * loader than the test class, so a plain static field would hold two different key pairs. The keys travel
     * as a string system property ({@code dev.mcpbroker.testkit.jwt.keys.<name>}); issuer and audience are the
     * caller's.
     */
    public static TestTokens shared(String name, String issuer, String audience) {
        String property = "dev.mcpbroker.testkit.jwt.keys." + name;
        // System.getProperties() is one object for every class loader: a JVM-wide lock.
        synchronized (System.getProperties()) {
            String exported = System.getProperty(property);
            if (exported != null) {
                return fromExportedKeys(exported, issuer, audience);
            }
            TestTokens tokens = create(issuer, audience);
            System.setProperty(property, tokens.exportKeys());
            return tokens;
        }
    }

    /** Both key pairs as one string (base64 PKCS#8 and X.509, dot-separated); see {@link #fromExportedKeys}. */
    public String exportKeys() {
        Base64.Encoder b64 = Base64.getEncoder();
        return String.join(".", b64.encodeToString(rsa.getPrivate().getEncoded()), b64.encodeToString(rsa.getPublic().getEncoded()),
                b64.encodeToString(ec.getPrivate().getEncoded()), b64.encodeToString(ec.getPublic().getEncoded()));
    }

    /** The keys of {@link #exportKeys()}, with this issuer and audience. */
    public static TestTokens fromExportedKeys(String exported, String issuer, String audience) {
        String[] parts = exported.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an export of TestTokens keys");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        try {
            KeyFactory rsaFactory = KeyFactory.getInstance("RSA");
            KeyFactory ecFactory = KeyFactory.getInstance("EC");
            KeyPair rsa = new KeyPair(rsaFactory.generatePublic(new X509EncodedKeySpec(b64.decode(parts[1]))),
                    rsaFactory.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(parts[0]))));
            KeyPair ec = new KeyPair(ecFactory.generatePublic(new X509EncodedKeySpec(b64.decode(parts[3]))),
                    ecFactory.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(parts[2]))));
            return new TestTokens(rsa, ec, Objects.requireNonNull(issuer, "issuer"),
                    Objects.requireNonNull(audience, "audience"), Clock.systemUTC());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read exported TestTokens keys", e);
        }
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public KeyPair rsaKeyPair() {
        return rsa;
    }

    public KeyPair ecKeyPair() {
        return ec;
    }

    public PublicKey publicKey(KeyKind kind) {
        return (kind == KeyKind.RSA ? rsa : ec).getPublic();
    }

    /** A token for this agent ({@code sub}), valid for {@link #DEFAULT_LIFETIME} from now. */
    public Builder forAgent(String agentId) {
        return new Builder().claim("sub", agentId);
    }

    /** A token with no agent claim at all. */
    public Builder withoutAgent() {
        return new Builder();
    }

    // ---- keys as PEM and JWKS -----------------------------------------------------------------------------

    /** The public key as a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo). */
    public String publicKeyPem(KeyKind kind) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(publicKey(kind).getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** Writes {@link #publicKeyPem} to {@code file} (parents created) and returns the file. */
    public Path writePublicKeyPem(Path file, KeyKind kind) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, publicKeyPem(kind), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JWK Set with both public keys ({@code use: sig}, {@code alg}, {@code kid}). */
    public String jwksJson() {
        return jwksJson(KeyKind.RSA, KeyKind.EC);
    }

    /** A JWK Set with the given public keys only. */
    public String jwksJson(KeyKind... kinds) {
        List<Map<String, Object>> keys = new ArrayList<>();
        for (KeyKind kind : kinds) {
            keys.add(jwk(kind));
        }
        return toJson(Map.of("keys", keys));
    }

    /** One public key as a JWK. */
    public Map<String, Object> jwk(KeyKind kind) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        if (kind == KeyKind.RSA) {
            RSAPublicKey key = (RSAPublicKey) rsa.getPublic();
            jwk.put("kty", "RSA");
            jwk.put("kid", RSA_KID);
            jwk.put("use", "sig");
            jwk.put("alg", "RS256");
            jwk.put("n", B64URL.encodeToString(unsigned(key.getModulus(), 0)));
            jwk.put("e", B64URL.encodeToString(unsigned(key.getPublicExponent(), 0)));
        } else {
            ECPublicKey key = (ECPublicKey) ec.getPublic();
            jwk.put("kty", "EC");
            jwk.put("kid", EC_KID);
            jwk.put("use", "sig");
            jwk.put("alg", "ES256");
            jwk.put("crv", "P-256");
            jwk.put("x", B64URL.encodeToString(unsigned(key.getW().getAffineX(), 32)));
            jwk.put("y", B64URL.encodeToString(unsigned(key.getW().getAffineY(), 32)));
        }
        return jwk;
    }

    /** Big-endian magnitude without the sign byte, left-padded to {@code length} when that is positive. */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > 0 && bytes.length < length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return bytes;
    }

    // ---- token parts ------------------------------------------------------------------------------------

    /** Decodes one base64url segment of a compact token (0 = header, 1 = payload) as a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decodeSegment(String token, int index) {
        String[] parts = token.split("\\.", -1);
        try {
            return JSON.readValue(B64URL_DECODER.decode(parts[index]), LinkedHashMap.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String b64(byte[] bytes) {
        return B64URL.encodeToString(bytes);
    }

    static String b64Json(Map<String, Object> value) {
        return b64(toJson(value).getBytes(StandardCharsets.UTF_8));
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(String jcaAlgorithm, PrivateKey key, String signingInput) {
        try {
            Signature signature = Signature.getInstance(jcaAlgorithm);
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmacSha256(byte[] secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Edits a token's claims before it is signed or tampered with. */
    @FunctionalInterface
    public interface ClaimsEditor {
        void edit(Map<String, Object> claims);
    }

    /**
     * One token under construction. Defaults: {@code iss} and {@code aud} of the {@link TestTokens},
     * {@code iat} now, {@code exp} now + {@link #DEFAULT_LIFETIME}; the key id is the signing key's unless
     * {@link #kid(String)} or {@link #withoutKid()} says otherwise.
     */
    public final class Builder {

        private final Map<String, Object> claims = new LinkedHashMap<>();
        private final Map<String, Object> extraHeaders = new LinkedHashMap<>();
        private String kid;
        private boolean kidSet;

        private Builder() {
            Instant now = clock.instant();
            claims.put("iss", issuer);
            claims.put("aud", audience);
            claims.put("iat", now.getEpochSecond());
            claims.put("exp", now.plus(DEFAULT_LIFETIME).getEpochSecond());
        }

        /** Sets a claim; {@code null} removes it. */
        public Builder claim(String name, Object value) {
            if (value == null) {
                claims.remove(name);
            } else {
                claims.put(name, value);
            }
            return this;
        }

        public Builder without(String claim) {
            claims.remove(claim);
            return this;
        }

        public Builder tenant(String tenant) {
            return claim("tenant", tenant);
        }

        /**
         * A delegation token (RFC 8693): the agent named so far becomes the actor, {@code act: {"sub": agent}}, and the
         * user the subject, {@code sub: user}.
         */
        public Builder actingFor(String user) {
            Object agent = claims.get("sub");
            if (agent == null) {
                throw new IllegalStateException("name the agent (forAgent) before the user it acts for");
            }
            claim("act", Map.of("sub", agent));
            return claim("sub", user);
        }

        public Builder issuer(String value) {
            return claim("iss", value);
        }

        public Builder audience(String... values) {
            return claim("aud", values.length == 1 ? values[0] : List.of(values));
        }

        /** {@code exp} relative to now; negative for an already expired token. */
        public Builder expiresIn(Duration lifetime) {
            return claim("exp", clock.instant().plus(lifetime).getEpochSecond());
        }

        public Builder expiresAt(Instant instant) {
            return claim("exp", instant.getEpochSecond());
        }

        /** {@code nbf} relative to now; positive for a token that is not valid yet. */
        public Builder notBeforeIn(Duration delay) {
            return claim("nbf", clock.instant().plus(delay).getEpochSecond());
        }

        public Builder issuedAt(Instant instant) {
            return claim("iat", instant.getEpochSecond());
        }

        /** Adds a {@code pad} claim of about {@code bytes} characters, e.g. 20_000 for an oversized token. */
        public Builder padded(int bytes) {
            return claim("pad", "x".repeat(bytes));
        }

        /** A key id header of your choice, e.g. one the JWKS does not contain. */
        public Builder kid(String value) {
            this.kid = value;
            this.kidSet = true;
            return this;
        }

        public Builder withoutKid() {
            return kid(null);
        }

        /** Any other JOSE header parameter ({@code typ}, {@code crit}, ...). */
        public Builder header(String name, Object value) {
            extraHeaders.put(name, value);
            return this;
        }

        /** A copy of the claims as they would be signed. */
        public Map<String, Object> claims() {
            return new LinkedHashMap<>(claims);
        }

        /** RS256 with the RSA key. */
        public String sign() {
            return signRs256();
        }

        public String signRs256() {
            String input = signingInput("RS256", RSA_KID, claims);
            return input + "." + b64(TestTokens.sign("SHA256withRSA", rsa.getPrivate(), input));
        }

        public String signEs256() {
            String input = signingInput("ES256", EC_KID, claims);
            // JWS wants R || S (64 bytes), not DER.
            return input + "." + b64(TestTokens.sign("SHA256withECDSAinP1363Format", ec.getPrivate(), input));
        }

        /** {@code alg: none} with an empty signature segment. */
        public String unsigned() {
            return signingInput("none", null, claims) + ".";
        }

        /**
         * The key-confusion attack: {@code alg: HS256}, HMAC keyed with the RSA public key's encoded bytes (what a
         * verifier that feeds "the key" to whatever algorithm the header names would use). The key id names the
         * RSA key.
         */
        public String signHs256WithRsaPublicKey() {
            return signHs256(rsa.getPublic().getEncoded(), RSA_KID);
        }

        /** Same attack with the PEM text of the public key as the secret (the other common variant). */
        public String signHs256WithRsaPublicKeyPem() {
            return signHs256(publicKeyPem(KeyKind.RSA).getBytes(StandardCharsets.US_ASCII), RSA_KID);
        }

        public String signHs256(byte[] secret, String defaultKid) {
            String input = signingInput("HS256", defaultKid, claims);
            return input + "." + b64(hmacSha256(secret, input));
        }

        /**
         * A correctly RS256-signed token whose payload was then replaced: the claims are signed as they are, the
         * editor changes a copy, and the copy is put in the payload while the original signature stays.
         */
        public String tampered(ClaimsEditor editor) {
            String signed = signRs256();
            Map<String, Object> changed = new LinkedHashMap<>(claims);
            editor.edit(changed);
            String[] parts = signed.split("\\.", -1);
            return parts[0] + "." + b64Json(changed) + "." + parts[2];
        }

        /** {@link #tampered} that promotes the agent to {@code sub: "admin"}. */
        public String tampered() {
            return tampered(c -> c.put("sub", "admin"));
        }

        private String signingInput(String alg, String defaultKid, Map<String, Object> payload) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("alg", alg);
            header.put("typ", "JWT");
            String effectiveKid = kidSet ? kid : defaultKid;
            if (effectiveKid != null) {
                header.put("kid", effectiveKid);
            }
            header.putAll(extraHeaders);
            return b64Json(header) + "." + b64Json(payload);
        }
    }
}
