package dev.mcpbroker.function.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentAuthenticator;
import dev.mcpbroker.core.identity.AgentIdentity;
import io.quarkus.runtime.Startup;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.ResourceUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.InvalidJwtSignatureException;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the agent's bearer JWT with SmallRye JWT (jose4j underneath) and maps every refusal to one
 * {@code TOKEN_*} code. Cheap structural checks come first and decide without any cryptography or key fetch:
 * <ol>
 *   <li>no header: {@link ErrorCode#TOKEN_MISSING}; not {@code Bearer <token>}: {@link ErrorCode#TOKEN_MALFORMED};</li>
 *   <li>token longer than {@link AuthConfig#maxTokenBytes()}: {@link ErrorCode#TOKEN_TOO_LARGE};</li>
 *   <li>not three base64url segments, or a header that is not a JSON object with a string {@code alg}:
 *       {@link ErrorCode#TOKEN_MALFORMED};</li>
 *   <li>{@code alg} not in {@link AuthConfig#algorithms()} (so {@code none}, every {@code HS*}):
 *       {@link ErrorCode#TOKEN_ALGORITHM_REFUSED}.</li>
 * </ol>
 * Then the signature (key from the JWK Set by {@code kid}, or the configured PEM key), issuer, audience,
 * {@code exp} / {@code nbf} with the configured skew; failures are told apart by jose4j's error codes and
 * exception types in the cause chain, never by message text. Messages never contain the token or its claims,
 * and no exception that might carry them is attached as a cause.
 *
 * <p>Created at startup so that an unsafe configuration (symmetric algorithm, no key source, unreadable PEM)
 * stops the function before it serves anything. The JWK Set itself is fetched on first use.
 */
@Startup
@ApplicationScoped
public class JwtAgentAuthenticator implements AgentAuthenticator {

    private static final Logger LOG = Logger.getLogger(JwtAgentAuthenticator.class);
    private static final Pattern BEARER = Pattern.compile("(?i)bearer +(\\S+) *");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Pattern PEM_PUBLIC_KEY = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
    private static final Set<SignatureAlgorithm> ASYMMETRIC = EnumSet.complementOf(
            EnumSet.of(SignatureAlgorithm.HS256, SignatureAlgorithm.HS384, SignatureAlgorithm.HS512));
    private static final ObjectMapper HEADER_JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private final AuthConfig config;
    private final TokenIdentity identity;
    private final Set<String> algorithms;
    private final JWTAuthContextInfo contextInfo;
    private final DefaultJWTTokenParser parser;

    @Inject
    public JwtAgentAuthenticator(AuthConfig config) {
        this.config = config;
        this.identity = new TokenIdentity(config);
        Set<SignatureAlgorithm> accepted = acceptedAlgorithms(config.algorithms());
        this.algorithms = accepted.stream().map(SignatureAlgorithm::getAlgorithm)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (config.maxTokenBytes() < 64) {
            throw new IllegalStateException("broker.auth.max-token-bytes must be at least 64");
        }
        if (config.clockSkew().isNegative()) {
            throw new IllegalStateException("broker.auth.clock-skew must not be negative");
        }

        contextInfo = new JWTAuthContextInfo();
        contextInfo.setSignatureAlgorithm(accepted);
        contextInfo.setIssuedBy(config.issuer());
        // The audience depends on the endpoint (RFC 8707 resource indicators): checked per request below.
        contextInfo.setExpectedAudience(null);
        contextInfo.setClockSkew((int) Math.min(Integer.MAX_VALUE, config.clockSkew().toSeconds()));
        // The agent claim is checked here, whichever claim it is; SmallRye would insist on sub/upn/preferred_username.
        contextInfo.setRequireNamedPrincipal(false);
        // Enforce jose4j's minimum key sizes (RSA >= 2048 bits).
        contextInfo.setRelaxVerificationKeyValidation(false);

        if (config.jwksUrl().isPresent() == config.publicKeyLocation().isPresent()) {
            throw new IllegalStateException(
                    "set exactly one of broker.auth.jwks-url and broker.auth.public-key-location");
        }
        if (config.jwksUrl().isPresent()) {
            URI jwksUrl = config.jwksUrl().get();
            requireSafeJwksUrl(jwksUrl);
            VerificationKeyResolver resolver = new JwksKeyResolver(jwksUrl, config.jwksCacheTtl());
            parser = new ResolverParser(resolver);
            LOG.infof("agent tokens: issuer %s, audience %s, algorithms %s, keys from %s",
                    config.issuer(), config.resource(), algorithms, jwksUrl);
        } else {
            PublicKey key = readPemPublicKey(config.publicKeyLocation().get());
            contextInfo.setPublicVerificationKey(key);
            parser = new DefaultJWTTokenParser();
            LOG.infof("agent tokens: issuer %s, audience %s, algorithms %s, %s key from %s",
                    config.issuer(), config.resource(), algorithms, key.getAlgorithm(), config.publicKeyLocation().get());
        }
    }

    @Override
    public AgentIdentity authenticate(String authorizationHeader, String serverId) {
        String token = bearerToken(authorizationHeader);
        checkStructure(token);
        JwtClaims claims;
        try {
            claims = parser.parse(token, contextInfo).getJwtClaims();
        } catch (ParseException e) {
            throw refusal(e);
        }
        checkAudience(claims, serverId);
        return identity.of(claims);
    }

    /**
     * MCP clients ask for a token for the endpoint they talk to, {@code <resource>/mcp/<server>}; others
     * for the broker as a whole. Either is this broker; a token for any other resource is refused.
     */
    private void checkAudience(JwtClaims claims, String serverId) {
        List<String> audiences;
        try {
            audiences = claims.getAudience();
        } catch (MalformedClaimException e) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "token audience is malformed");
        }
        String resource = config.resource().toString().replaceAll("/+$", "");
        Set<String> accepted = serverId == null ? Set.of(resource)
                : Set.of(resource, resource + ProtectedResourceMetadataResource.MCP_PATH_PREFIX + serverId);
        if (audiences == null || audiences.stream().noneMatch(accepted::contains)) {
            throw refuse(ErrorCode.TOKEN_AUDIENCE_INVALID, "token is not meant for this broker");
        }
    }

    // ---- before any cryptography ----------------------------------------------------------------------------

    private String bearerToken(String header) {
        if (header == null || header.isBlank()) {
            throw refuse(ErrorCode.TOKEN_MISSING, "no bearer token: send Authorization: Bearer <token>");
        }
        Matcher matcher = BEARER.matcher(header);
        if (!matcher.matches()) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "Authorization header is not of the form Bearer <token>");
        }
        String token = matcher.group(1);
        if (token.length() > config.maxTokenBytes()) {
            throw refuse(ErrorCode.TOKEN_TOO_LARGE, "bearer token is longer than " + config.maxTokenBytes() + " bytes");
        }
        return token;
    }

    private void checkStructure(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "bearer token is not a signed JWT (header.payload.signature)");
        }
        for (String part : parts) {
            if (!BASE64URL.matcher(part).matches() || part.length() % 4 == 1) {
                throw refuse(ErrorCode.TOKEN_MALFORMED, "bearer token is not base64url-encoded");
            }
        }
        JsonNode header;
        try {
            header = HEADER_JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        } catch (IOException | IllegalArgumentException e) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "bearer token header is not JSON");
        }
        if (header == null || !header.isObject() || !header.path("alg").isTextual()) {
            throw refuse(ErrorCode.TOKEN_MALFORMED, "bearer token header has no alg");
        }
        // Exact, case-sensitive match (RFC 7515): "none", "HS256", "rs256" and anything unknown end here.
        if (!algorithms.contains(header.get("alg").textValue())) {
            throw refuse(ErrorCode.TOKEN_ALGORITHM_REFUSED, "token algorithm is not one of " + String.join(", ", algorithms));
        }
    }

    // ---- verification failures ---------------------------------------------------------------------------------

    private BrokerException refusal(ParseException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof KeySourceException.KeysUnavailable unavailable) {
                // The cause is the fetch failure (URL and I/O error only, no token content).
                return new BrokerException(ErrorCode.AUTHENTICATION_UNAVAILABLE,
                        "the token could not be checked: the issuer's keys are unavailable", unavailable.getCause());
            }
            if (t instanceof KeySourceException.KeyUnknown) {
                return refuse(ErrorCode.TOKEN_KEY_UNKNOWN, "token is signed with a key the issuer does not publish");
            }
            if (t instanceof InvalidJwtSignatureException) {
                return refuse(ErrorCode.TOKEN_SIGNATURE_INVALID, "token signature is invalid");
            }
            if (t instanceof InvalidJwtException invalid) {
                BrokerException mapped = byErrorCode(invalid);
                if (mapped != null) {
                    return mapped;
                }
            }
            if (t instanceof UnresolvableKeyException) {
                // Not raised by our resolvers; SmallRye's own key loading failed.
                return new BrokerException(ErrorCode.AUTHENTICATION_UNAVAILABLE,
                        "the token could not be checked: no verification key");
            }
        }
        // Failures after the signature was verified that jose4j reports without a code (e.g. iat after exp).
        LOG.debugf("token refused without a jose4j error code: %s", e.getClass().getName());
        return refuse(ErrorCode.TOKEN_MALFORMED, "token claims are invalid");
    }

    private BrokerException byErrorCode(InvalidJwtException e) {
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return refuse(ErrorCode.TOKEN_SIGNATURE_INVALID, "token signature is invalid");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING) || e.hasErrorCode(ErrorCodes.INTEGRITY_MISSING)) {
            return refuse(ErrorCode.TOKEN_ALGORITHM_REFUSED, "token is not signed");
        }
        if (e.hasErrorCode(ErrorCodes.JSON_INVALID)) {
            return refuse(ErrorCode.TOKEN_MALFORMED, "token payload is not a JSON object");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return refuse(ErrorCode.TOKEN_ISSUER_INVALID, "token is not from the expected issuer");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return refuse(ErrorCode.TOKEN_AUDIENCE_INVALID, "token is not issued for " + config.resource());
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
            return refuse(ErrorCode.TOKEN_EXPIRED, "token has expired");
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return refuse(ErrorCode.TOKEN_NOT_YET_VALID, "token is not valid yet");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return refuse(ErrorCode.TOKEN_MALFORMED, "token has no exp claim");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUED_AT_MISSING)) {
            return refuse(ErrorCode.TOKEN_MALFORMED, "token has no iat claim");
        }
        if (e.hasErrorCode(ErrorCodes.MALFORMED_CLAIM)) {
            return refuse(ErrorCode.TOKEN_MALFORMED, "token has a malformed registered claim");
        }
        if (e.hasErrorCode(ErrorCodes.MISCELLANEOUS) && e.getCause() instanceof JoseException
                && !(e.getCause() instanceof UnresolvableKeyException)) {
            // jose4j could not compute the signature check at all (key/algorithm mismatch, bad signature encoding).
            return refuse(ErrorCode.TOKEN_SIGNATURE_INVALID, "token signature cannot be verified");
        }
        return null;
    }

    private static BrokerException refuse(ErrorCode code, String message) {
        LOG.debugf("bearer token refused: %s", code.reason());
        return new BrokerException(code, message);
    }

    // ---- configuration --------------------------------------------------------------------------------------

    static Set<SignatureAlgorithm> acceptedAlgorithms(List<String> configured) {
        Set<SignatureAlgorithm> accepted = new LinkedHashSet<>();
        for (String raw : configured) {
            String name = raw.trim();
            SignatureAlgorithm algorithm = null;
            for (SignatureAlgorithm candidate : SignatureAlgorithm.values()) {
                if (candidate.getAlgorithm().equals(name)) {
                    algorithm = candidate;
                }
            }
            if (algorithm == null || !ASYMMETRIC.contains(algorithm)) {
                throw new IllegalStateException("broker.auth.algorithms: '" + name + "' is not accepted; use asymmetric "
                        + "JWS algorithms only (RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)");
            }
            accepted.add(algorithm);
        }
        if (accepted.isEmpty()) {
            throw new IllegalStateException("broker.auth.algorithms is empty");
        }
        return accepted;
    }

    /** Keys fetched over plain HTTP could be swapped in transit; only loopback (tests, local runs) may use it. */
    private static void requireSafeJwksUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http") && isLoopback(url.getHost())) {
            return;
        }
        throw new IllegalStateException("broker.auth.jwks-url must be an https URL (http only for a loopback address)");
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            // Only literal addresses are checked; a name is not resolved here.
            return host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static PublicKey readPemPublicKey(String location) {
        if (location.regionMatches(true, 0, "http", 0, 4)) {
            throw new IllegalStateException("broker.auth.public-key-location is a file or classpath: resource; "
                    + "use broker.auth.jwks-url for keys served over HTTP");
        }
        String content;
        try {
            content = ResourceUtils.readResource(location);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read broker.auth.public-key-location " + location, e);
        }
        if (content == null) {
            throw new IllegalStateException("broker.auth.public-key-location " + location + " does not exist");
        }
        Matcher pem = PEM_PUBLIC_KEY.matcher(content);
        if (!pem.find()) {
            throw new IllegalStateException("broker.auth.public-key-location " + location
                    + " holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next key type
            }
        }
        throw new IllegalStateException("broker.auth.public-key-location " + location + " is not an RSA, EC or Ed25519 public key");
    }

    /** SmallRye's parser with the broker's key resolver in place of its own location-based one. */
    private static final class ResolverParser extends DefaultJWTTokenParser {

        private final VerificationKeyResolver resolver;

        ResolverParser(VerificationKeyResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        protected VerificationKeyResolver getVerificationKeyResolver(JWTAuthContextInfo authContextInfo) {
            return resolver;
        }
    }
}
