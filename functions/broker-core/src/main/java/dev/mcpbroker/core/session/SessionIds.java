package dev.mcpbroker.core.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Mints session ids: 256 bits from a CSPRNG, base64url without padding, so every character is visible
 * ASCII (0x21-0x7E) as the transport requires.
 */
public final class SessionIds {

    private static final int RANDOM_BYTES = 32;
    private static final int MAX_LENGTH = 128;

    private final SecureRandom random;

    public SessionIds(SecureRandom random) {
        this.random = random;
    }

    public String mint() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** True for a value that could be one of our ids; anything else is unknown without a table read. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /**
     * A session id as telemetry shows it (traces, request logs): the first 16 hex digits of its SHA-256.
     * Enough to follow one session through traces and logs; no way back to the id, which is 256 random bits.
     */
    public static String hash(String sessionId) {
        if (sessionId == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(sessionId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /** A form safe for logs: enough to correlate, too little to replay. */
    public static String redact(String sessionId) {
        if (sessionId == null) {
            return "null";
        }
        return sessionId.length() <= 6 ? "***" : sessionId.substring(0, 6) + "...";
    }
}
