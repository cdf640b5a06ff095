package dev.mcpbroker.core.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The idempotency key the broker sends upstream for a keyed call. Every tenant reaches an upstream with the same
 * credential, so the agent's own key sent as it is would let tenant B pre-empt or replay tenant A's call in an
 * upstream that deduplicates by key. The key sent is a keyed HMAC of the whole scope (tenant, agent, user, server,
 * tool and the agent's key): the same for every retry of one call, unguessable and different for anyone else's.
 */
public final class UpstreamKeys {

    private static final String ALGORITHM = "HmacSHA256";
    /** Keeps these MACs apart from anything else made with the same key material. */
    private static final byte[] LABEL = "mcp-broker/upstream-idempotency-key\n".getBytes(StandardCharsets.US_ASCII);
    public static final int MIN_KEY_BYTES = 32;

    private final SecretKeySpec key;

    /** @param key secret key material, at least {@value #MIN_KEY_BYTES} bytes; copied */
    public UpstreamKeys(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the upstream key secret must have at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(Arrays.copyOf(key, key.length), ALGORITHM);
    }

    /** The key to send upstream for a call under {@code scope}: 43 base64url characters. */
    public String upstreamKey(IdempotencyScope scope) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(LABEL);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(scope.recordId().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "UpstreamKeys[HmacSHA256, key=<redacted>]";
    }
}
