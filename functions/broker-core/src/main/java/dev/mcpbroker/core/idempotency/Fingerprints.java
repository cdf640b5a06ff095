package dev.mcpbroker.core.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.audit.CanonicalJson;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint of a call's arguments: SHA-256 (hex) of their canonical JSON ({@link CanonicalJson}, the
 * same canonical form the audit trail fingerprints). The same arguments sent with members in another
 * order, other whitespace, or a number written differently ({@code 1}, {@code 1.0}) match; any changed
 * value does not.
 */
public final class Fingerprints {

    private static final String NO_ARGUMENTS = "{}";

    private Fingerprints() {
    }

    /** {@code arguments} may be null or JSON null: a call without arguments, the same as {@code {}}. */
    public static String of(JsonNode arguments) {
        byte[] canonical = arguments == null || arguments.isNull() || arguments.isMissingNode()
                ? NO_ARGUMENTS.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                : CanonicalJson.bytes(arguments);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
