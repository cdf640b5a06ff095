package dev.mcpbroker.core.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The broker's keyed MACs. First, the idempotency key the broker sends upstream for a keyed call: every tenant reaches
 * an upstream with the same credential, so the agent's own key sent as it is would let tenant B pre-empt or replay
 * tenant A's call in an upstream that deduplicates by key. The key sent is a keyed HMAC of the whole scope (tenant, agent, user, server,
 * tool and the agent's key): the same for every retry of one call, unguessable and different for anyone else's. And
 * values the broker hands to one caller and takes back only from it ({@link #seal}).
 */
public final class UpstreamKeys {

    private static final String ALGORITHM = "HmacSHA256";
    /** Keeps these MACs apart from anything else made with the same key material. */
    private static final byte[] LABEL = "mcp-broker/upstream-idempotency-key\n".getBytes(StandardCharsets.US_ASCII);
    public static final int MIN_KEY_BYTES = 32;
    private static final byte[] SEAL_LABEL = "mcp-broker/sealed-value\n".getBytes(StandardCharsets.US_ASCII);
    private static final String SEALED = "mcpb1.";

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

    /**
     * A value the broker hands to a caller and must get back unchanged from the same caller only (an upstream's
     * {@code requestState}): the value, prefixed by a MAC over it and {@code context}.
     */
    public String seal(String context, String value) {
        return SEALED + mac(context, value) + "." + value;
    }

    /** The value {@link #seal} sealed under {@code context}; empty when it was sealed under another or altered. */
    public java.util.Optional<String> open(String context, String sealed) {
        if (sealed == null || !sealed.startsWith(SEALED)) {
            return java.util.Optional.empty();
        }
        int dot = sealed.indexOf('.', SEALED.length());
        if (dot < 0) {
            return java.util.Optional.empty();
        }
        String value = sealed.substring(dot + 1);
        boolean intact = java.security.MessageDigest.isEqual(
                sealed.substring(SEALED.length(), dot).getBytes(StandardCharsets.US_ASCII),
                mac(context, value).getBytes(StandardCharsets.US_ASCII));
        return intact ? java.util.Optional.of(value) : java.util.Optional.empty();
    }

    private String mac(String context, String value) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(SEAL_LABEL);
            byte[] contextBytes = context.getBytes(StandardCharsets.UTF_8);
            mac.update((contextBytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            mac.update(contextBytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "UpstreamKeys[HmacSHA256, key=<redacted>]";
    }
}
