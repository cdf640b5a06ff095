package dev.mcpbroker.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One byte sequence per JSON value, so that hashes and fingerprints depend on what a value is, not on how a
 * client happened to write it. Modelled on RFC 8785 (JCS), with a simpler number rule.
 *
 * <p>The rule, applied recursively:
 * <ul>
 *   <li><b>Objects</b>: members sorted by key, comparing keys as UTF-16 code units ({@link String#compareTo},
 *       the order RFC 8785 uses); written {@code {"k":v,"k2":v2}}.</li>
 *   <li><b>Arrays</b>: elements in their order; written {@code [v,v2]}.</li>
 *   <li><b>No whitespace</b> anywhere outside strings.</li>
 *   <li><b>Strings</b>: {@code "} and {@code \} are escaped as {@code \"} and {@code \\}; control characters
 *       below U+0020 as {@code \b \t \n \f \r} where such a short form exists, otherwise {@code \}{@code u00xx}
 *       (lower-case hex); an unpaired surrogate as {@code \}{@code udxxx} (lower-case hex); every other character,
 *       including all non-ASCII text and {@code /}, is written as itself.</li>
 *   <li><b>Numbers</b> are normalised by value: the decimal value with trailing zeros stripped, written without
 *       an exponent ({@code 1.0}, {@code 1e0} and {@code 1} are all {@code 1}; {@code 0.50} is {@code 0.5};
 *       {@code -0} is {@code 0}), unless that plain form would exceed 40 characters, in which case
 *       {@link BigDecimal#toString()} of the stripped value is used ({@code 1E+100}). Not-a-number and
 *       infinities are refused, as JSON has none.</li>
 *   <li><b>Literals</b>: {@code true}, {@code false}, {@code null}.</li>
 *   <li>The result is encoded as UTF-8.</li>
 * </ul>
 * Only the JSON data model is accepted: binary and POJO nodes are refused with {@link IllegalArgumentException}.
 * A parsed {@link com.fasterxml.jackson.databind.node.ObjectNode} cannot hold duplicate keys; which of two
 * duplicates a parser kept is the parser's business.
 */
public final class CanonicalJson {

    /** Beyond this many characters a number is written in scientific form, so {@code 1e1000000} stays small. */
    private static final int MAX_PLAIN_NUMBER_LENGTH = 40;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {
    }

    /** The canonical text of {@code value}. */
    public static String write(JsonNode value) {
        StringBuilder out = new StringBuilder(128);
        append(value, out);
        return out.toString();
    }

    /** The canonical form of {@code value} as UTF-8 bytes (the input of hashes and fingerprints). */
    public static byte[] bytes(JsonNode value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    private static void append(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
            return;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.size());
                node.fields().forEachRemaining(members::add);
                members.sort(Map.Entry.comparingByKey());
                out.append('{');
                for (int i = 0; i < members.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    appendString(members.get(i).getKey(), out);
                    out.append(':');
                    append(members.get(i).getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                Iterator<JsonNode> elements = node.elements();
                boolean first = true;
                while (elements.hasNext()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    append(elements.next(), out);
                }
                out.append(']');
            }
            case STRING -> appendString(node.textValue(), out);
            case NUMBER -> out.append(number(node));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType() + " node");
        }
    }

    /** The canonical text of a number node (see the class comment). */
    static String number(JsonNode node) {
        BigDecimal value;
        if (node.isIntegralNumber()) {
            value = new BigDecimal(node.bigIntegerValue());
        } else {
            double d = node.doubleValue();
            if (node.isDouble() || node.isFloat()) {
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("JSON has no NaN or infinite numbers");
                }
            }
            value = node.decimalValue();
        }
        if (value.signum() == 0) {
            return "0";
        }
        BigDecimal stripped = value.stripTrailingZeros();
        // Length of the plain form: the digits, plus leading zeros / trailing zeros the scale implies.
        int precision = stripped.precision();
        int scale = stripped.scale();
        long plainLength = (scale <= 0 ? (long) precision - scale : Math.max(precision, scale + 1L) + 1L)
                + (stripped.signum() < 0 ? 1 : 0);
        if (plainLength <= MAX_PLAIN_NUMBER_LENGTH) {
            return stripped.toPlainString();
        }
        return stripped.toString();
    }

    private static void appendString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        escape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        escape(c, out); // unpaired: UTF-8 cannot carry it, so it is written as an escape
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void escape(char c, StringBuilder out) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
