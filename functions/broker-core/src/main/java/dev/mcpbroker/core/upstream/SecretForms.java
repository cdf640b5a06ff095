package dev.mcpbroker.core.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The forms in which a credential can appear in upstream output, derived from its raw values so that every
 * credential source is covered, whatever forms it knows of itself:
 * <ul>
 *   <li>the raw value in any letter case, and its hex encoding in any case (both matched on case-folded text);</li>
 *   <li>its base64 and base64url encodings, with or without padding, also when the secret sits inside a longer
 *       encoded value ({@code base64("Bearer " + secret)}): an encoder sees the secret at one of three offsets
 *       within its 3-byte groups, so for each offset the characters that depend on the secret's bytes alone are a
 *       fixed string ({@link #base64Cores()}), found wherever the secret was encoded;</li>
 *   <li>percent-encoded: matched against a percent-decoded view of the text ({@link #decodedNeedles()}).</li>
 * </ul>
 * Two sets are derived: one for JSON text ({@link #forText}), one for decoded binary data ({@link #forBytes}), where
 * a character stands for one byte and the raw value is therefore its UTF-8 bytes.
 */
final class SecretForms {

    /** Shorter values are not redacted: they would match innocent text, and are not credentials. */
    static final int MIN_SECRET_LENGTH = 6;

    /* Characters of a base64 value that depend on a secret's first byte, by the secret's offset in its 3-byte group. */
    private static final int[] LEADING_UNSTABLE = {0, 2, 3};

    static final SecretForms NONE = new SecretForms(List.of(), List.of(), List.of());

    private final List<String> foldedNeedles;
    private final List<String> decodedNeedles;
    private final List<String> base64Cores;

    private SecretForms(List<String> foldedNeedles, List<String> decodedNeedles, List<String> base64Cores) {
        this.foldedNeedles = List.copyOf(foldedNeedles);
        this.decodedNeedles = List.copyOf(decodedNeedles);
        this.base64Cores = List.copyOf(base64Cores);
    }

    /** Forms to look for in JSON strings. */
    static SecretForms forText(Set<String> secrets) {
        return derive(secrets, false);
    }

    /** Forms to look for in decoded binary data read as ISO-8859-1 (one character per byte). */
    static SecretForms forBytes(Set<String> secrets) {
        return derive(secrets, true);
    }

    private static SecretForms derive(Set<String> secrets, boolean bytes) {
        Set<String> folded = new LinkedHashSet<>();
        Set<String> decoded = new LinkedHashSet<>();
        Set<String> cores = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
                continue;
            }
            byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
            String asBytes = new String(utf8, StandardCharsets.ISO_8859_1);
            folded.add(fold(bytes ? asBytes : secret));
            folded.add(HexFormat.of().formatHex(utf8));
            // Percent-decoding yields bytes, one character each; form encoding writes a space as '+'.
            decoded.add(fold(asBytes));
            if (asBytes.indexOf(' ') >= 0) {
                decoded.add(fold(asBytes.replace(' ', '+')));
            }
            for (int offset = 0; offset < 3; offset++) {
                String core = base64Core(utf8, offset);
                if (core.length() >= MIN_SECRET_LENGTH) {
                    cores.add(core);
                    cores.add(core.replace('+', '-').replace('/', '_'));
                }
            }
        }
        return new SecretForms(new ArrayList<>(folded), new ArrayList<>(decoded), new ArrayList<>(cores));
    }

    /**
     * The base64 characters fixed by {@code secret} alone when it starts {@code offset} bytes into a 3-byte group:
     * the characters mixing in bits of the bytes before it or after it are left out.
     */
    static String base64Core(byte[] secret, int offset) {
        byte[] shifted = new byte[offset + secret.length];
        System.arraycopy(secret, 0, shifted, offset, secret.length);
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(shifted);
        int trailingUnstable = shifted.length % 3 == 0 ? 0 : 1;
        int end = encoded.length() - trailingUnstable;
        int start = LEADING_UNSTABLE[offset];
        return start >= end ? "" : encoded.substring(start, end);
    }

    /**
     * Lower case, one character for one character, so positions in the folded text are positions in the original,
     * and without context rules ({@code String.toLowerCase} folds some letters by their neighbours and may change the
     * length), so a secret folds the same on its own as inside any text. Text without capitals is returned as is.
     */
    static String fold(String text) {
        int first = 0;
        while (first < text.length() && Character.toLowerCase(text.charAt(first)) == text.charAt(first)) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        char[] chars = text.toCharArray();
        for (int i = first; i < chars.length; i++) {
            chars[i] = Character.toLowerCase(chars[i]);
        }
        return new String(chars);
    }

    boolean isEmpty() {
        return foldedNeedles.isEmpty();
    }

    /** Raw value and hex, case-folded: matched against case-folded text. */
    List<String> foldedNeedles() {
        return foldedNeedles;
    }

    /** The raw value's bytes, case-folded: matched against percent-decoded, case-folded text. */
    List<String> decodedNeedles() {
        return decodedNeedles;
    }

    /** Base64 and base64url fragments, case-sensitive, for each of the three alignments. */
    List<String> base64Cores() {
        return base64Cores;
    }

    /** Forms are derived from secrets: never printed. */
    @Override
    public String toString() {
        return "SecretForms[" + (foldedNeedles.size() + decodedNeedles.size() + base64Cores.size()) + " forms]";
    }
}
