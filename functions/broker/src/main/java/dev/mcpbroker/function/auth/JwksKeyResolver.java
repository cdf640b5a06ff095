package dev.mcpbroker.function.auth;

import java.io.IOException;
import java.net.URI;
import java.security.Key;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;
import org.jose4j.http.Get;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.VerificationJwkSelector;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Public keys from the issuer's JWK Set, selected by the token's {@code kid} and algorithm (key type, curve,
 * {@code use}/{@code key_ops}). jose4j's {@link HttpsJwks} fetches and caches the set; this class adds what the
 * broker needs on top of it:
 * <ul>
 *   <li>the two failure kinds are distinguishable ({@link KeySourceException.KeyUnknown} vs
 *       {@link KeySourceException.KeysUnavailable}); SmallRye's own resolver reports both the same way and keeps
 *       a resolver built from an unusable answer for the life of the process;</li>
 *   <li>an unknown {@code kid} refetches the set early (key rotation), at most once per
 *       {@link #FORCED_REFRESH_INTERVAL}, so forged {@code kid}s cannot make the broker hammer the issuer;</li>
 *   <li>short HTTP timeouts and a single retry (jose4j defaults to 20 s timeouts and three retries, longer than
 *       a whole Lambda invocation should wait);</li>
 *   <li>only public keys are ever returned: a symmetric ({@code oct}) JWK in the set is never used, whatever
 *       the token's header says.</li>
 * </ul>
 * If a refetch fails while keys are cached, the cached keys stay in use for one more cache lifetime.
 */
final class JwksKeyResolver implements VerificationKeyResolver {

    static final Duration FORCED_REFRESH_INTERVAL = Duration.ofSeconds(30);
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 3_000;
    private static final int MAX_JWKS_CHARS = 256 * 1024;
    private static final Logger LOG = Logger.getLogger(JwksKeyResolver.class);

    private final HttpsJwks jwks;
    private final VerificationJwkSelector selector = new VerificationJwkSelector();
    private final Object forcedRefreshLock = new Object();
    private long lastForcedRefreshNanos;
    private boolean forcedRefreshDone;

    JwksKeyResolver(URI location, Duration cacheTtl) {
        jwks = new HttpsJwks(location.toString());
        long ttlSeconds = Math.max(1, cacheTtl.toSeconds());
        jwks.setDefaultCacheDuration(ttlSeconds);
        jwks.setRetainCacheOnErrorDuration(ttlSeconds);
        Get get = new Get();
        get.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        get.setReadTimeout(READ_TIMEOUT_MILLIS);
        get.setRetries(1);
        get.setProgressiveRetryWait(false);
        get.setInitialRetryWaitTime(100);
        get.setResponseBodySizeLimit(MAX_JWKS_CHARS);
        jwks.setSimpleHttpGet(get);
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        Key key = select(jws, keys(false));
        if (key == null && mayForceRefresh()) {
            key = select(jws, keys(true));
        }
        if (key == null) {
            throw new KeySourceException.KeyUnknown("no key in the issuer's key set matches the token's kid and algorithm");
        }
        return key;
    }

    private List<JsonWebKey> keys(boolean refresh) throws KeySourceException.KeysUnavailable {
        try {
            if (refresh) {
                jwks.refresh();
            }
            return jwks.getJsonWebKeys();
        } catch (JoseException | IOException | RuntimeException e) {
            LOG.warnf("cannot fetch the issuer's JWK Set from %s: %s", jwks.getLocation(), e.toString());
            throw new KeySourceException.KeysUnavailable("the issuer's key set could not be fetched", e);
        }
    }

    private boolean mayForceRefresh() {
        synchronized (forcedRefreshLock) {
            long now = System.nanoTime();
            if (forcedRefreshDone && now - lastForcedRefreshNanos < FORCED_REFRESH_INTERVAL.toNanos()) {
                return false;
            }
            forcedRefreshDone = true;
            lastForcedRefreshNanos = now;
            return true;
        }
    }

    /**
     * The candidate keys for this header; with several candidates (a token without {@code kid}) the one whose
     * signature verifies, else the first, so that a bad signature is reported as such.
     */
    private Key select(JsonWebSignature jws, List<JsonWebKey> keys) throws UnresolvableKeyException {
        List<JsonWebKey> candidates;
        try {
            candidates = selector.selectList(jws, keys).stream()
                    .filter(jwk -> jwk instanceof PublicJsonWebKey pub && pub.getPublicKey() != null)
                    .toList();
        } catch (JoseException e) {
            return null;
        }
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() > 1) {
            for (JsonWebKey candidate : candidates) {
                try {
                    jws.setKey(((PublicJsonWebKey) candidate).getPublicKey());
                    if (jws.verifySignature()) {
                        return ((PublicJsonWebKey) candidate).getPublicKey();
                    }
                } catch (JoseException e) {
                    // not this one
                }
            }
        }
        return ((PublicJsonWebKey) candidates.get(0)).getPublicKey();
    }
}
