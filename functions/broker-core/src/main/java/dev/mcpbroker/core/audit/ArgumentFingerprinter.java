package dev.mcpbroker.core.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit trail's stand-in for a tool call's arguments: {@code hex(HMAC-SHA256(key, canonical JSON of the
 * arguments))} (see {@link CanonicalJson}). Equal arguments give equal fingerprints under one key, so calls can be
 * correlated and a claimed argument set can be checked by whoever holds the key, while the audit account never sees
 * the arguments and cannot confirm guesses about them without the key (a plain hash could be brute-forced for small
 * argument spaces such as account numbers).
 *
 * <p>The key is the caller's (in production a Secrets Manager secret); fingerprints made under different keys are not
 * comparable, so a key rotation starts new fingerprints. Thread-safe; never prints the key.
 */
public final class ArgumentFingerprinter {

    /** HMAC-SHA256 keys shorter than the hash output weaken it (RFC 2104 section 3); they are refused. */
    public static final int MIN_KEY_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final ObjectNode NO_ARGUMENTS = JsonNodeFactory.instance.objectNode();

    private final SecretKeySpec key;

    /** @param key at least {@value #MIN_KEY_BYTES} bytes; copied */
    public ArgumentFingerprinter(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the fingerprint key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(Arrays.copyOf(key, key.length), ALGORITHM);
        mac(); // fail now, not on the first call, if the platform lacks the algorithm
    }

    /**
     * The fingerprint of a {@code tools/call}'s {@code arguments}: 64 lower-case hex characters. Absent arguments
     * ({@code null}) are fingerprinted as the empty object, which MCP treats the same.
     */
    public String fingerprint(ObjectNode arguments) {
        byte[] canonical = CanonicalJson.bytes(arguments == null ? NO_ARGUMENTS : arguments);
        return HexFormat.of().formatHex(mac().doFinal(canonical));
    }

    private Mac mac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ArgumentFingerprinter[HmacSHA256, key=<redacted>]";
    }
}
