package dev.mcpbroker.core.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Header values as MCP 2026-07-28 writes them: plain when the value is visible ASCII without surrounding spaces,
 * otherwise {@code =?base64?<Base64 of UTF-8>?=} (markers lower case). A plain value that looks like the marker
 * form is encoded too, so decoding is never ambiguous.
 */
public final class HeaderValues {

    private static final String PREFIX = "=?base64?";
    private static final String SUFFIX = "?=";

    private HeaderValues() {
    }

    public static String encode(String value) {
        boolean plain = !value.isEmpty() && value.equals(value.strip()) && !isEncoded(value)
                && value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
        return plain ? value : PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    }

    /** The value a header stands for; null when it is marked as encoded but is not valid Base64. */
    public static String decode(String header) {
        if (!isEncoded(header)) {
            return header;
        }
        try {
            return new String(Base64.getDecoder().decode(header.substring(PREFIX.length(), header.length() - SUFFIX.length())),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isEncoded(String value) {
        return value.startsWith(PREFIX) && value.endsWith(SUFFIX) && value.length() >= PREFIX.length() + SUFFIX.length();
    }
}
