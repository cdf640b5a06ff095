package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces every occurrence of an upstream credential in upstream output (a tool that echoes its environment, an
 * error that quotes a header) before anything reaches the agent, in each form {@link SecretForms} derives: raw in any
 * case, hex, base64, base64url, percent-encoded. What is scanned:
 * <ul>
 *   <li>every string value and object key (a secret can arrive as a name as easily as as a value), which covers
 *       text content, {@code structuredContent} and error messages;</li>
 *   <li>the text of consecutive items of a {@code content} (or {@code contents}) array as one text, so a secret
 *       split across items is found; each item's part of it is replaced ({@link SplitTextRedaction});</li>
 *   <li>binary data, a resource's {@code blob} and an image's or audio item's {@code data}: decoded from base64 and
 *       searched byte-wise; a blob holding the secret is replaced as a whole by the base64 of {@link #MARKER}
 *       (a part of binary data cannot be cut out meaningfully, and the field stays valid base64).</li>
 * </ul>
 * An instance holds the forms derived from one credential; it is cheap to make and thread-safe.
 */
public final class SecretRedactor {

    public static final String MARKER = "[REDACTED]";

    /** What a blob or binary data holding a secret is replaced with. */
    public static final String REDACTED_BLOB = Base64.getEncoder().encodeToString(MARKER.getBytes(StandardCharsets.US_ASCII));

    private static final Set<String> CONTENT_ARRAYS = Set.of("content", "contents");
    private static final Set<String> BINARY_ITEM_TYPES = Set.of("image", "audio");

    private final SecretForms textForms;
    private final SecretForms byteForms;

    private SecretRedactor(SecretForms textForms, SecretForms byteForms) {
        this.textForms = textForms;
        this.byteForms = byteForms;
    }

    /** A redactor for every value in {@code secrets} (values shorter than six characters are ignored). */
    public static SecretRedactor of(Set<String> secrets) {
        return secrets.isEmpty() ? new SecretRedactor(SecretForms.NONE, SecretForms.NONE)
                : new SecretRedactor(SecretForms.forText(secrets), SecretForms.forBytes(secrets));
    }

    /** Redacts {@code secrets} inside {@code message} in place; returns whether anything was replaced. */
    public static boolean redact(ObjectNode message, Set<String> secrets) {
        return of(secrets).redact(message);
    }

    /** Redacts this redactor's secrets inside {@code message} in place; returns whether anything was replaced. */
    public boolean redact(ObjectNode message) {
        if (textForms.isEmpty()) {
            return false;
        }
        return redactObject(message, false);
    }

    /** {@code text} with every form of the secrets replaced, or null when it contains none. */
    String clean(String text) {
        List<int[]> ranges = SecretFinder.find(text, textForms);
        return ranges.isEmpty() ? null : SecretFinder.replace(text, ranges, MARKER);
    }

    /**
     * @param itemTextDone the object is a content item whose {@code text} was already redacted with its neighbours'
     */
    private boolean redactObject(ObjectNode object, boolean itemTextDone) {
        boolean changed = false;
        Map<String, JsonNode> renamed = null;
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (value.isTextual()) {
                if (isBinary(object, key)) {
                    changed |= redactBinary(field);
                } else if (!(itemTextDone && "text".equals(key))) {
                    String clean = clean(value.asText());
                    if (clean != null) {
                        field.setValue(TextNode.valueOf(clean));
                        changed = true;
                    }
                }
            } else if (value instanceof ArrayNode array && CONTENT_ARRAYS.contains(key)) {
                changed |= SplitTextRedaction.redact(array, textForms, MARKER);
                changed |= redactArray(array, true);
            } else {
                changed |= redactNode(value);
            }
            String cleanKey = clean(key);
            if (cleanKey != null) {
                if (renamed == null) {
                    renamed = new LinkedHashMap<>();
                }
                renamed.put(cleanKey, field.getValue());
                fields.remove();
                changed = true;
            }
        }
        if (renamed != null) {
            object.setAll(renamed);
        }
        return changed;
    }

    private boolean redactNode(JsonNode node) {
        if (node instanceof ObjectNode object) {
            return redactObject(object, false);
        }
        if (node instanceof ArrayNode array) {
            return redactArray(array, false);
        }
        return false;
    }

    private boolean redactArray(ArrayNode array, boolean contentItems) {
        boolean changed = false;
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            if (element.isTextual()) {
                String clean = clean(element.asText());
                if (clean != null) {
                    array.set(i, TextNode.valueOf(clean));
                    changed = true;
                }
            } else if (element instanceof ObjectNode object) {
                changed |= redactObject(object, contentItems);
            } else {
                changed |= redactNode(element);
            }
        }
        return changed;
    }

    /* MCP's binary fields: resource contents' blob, and the data of image and audio content. */
    private static boolean isBinary(ObjectNode object, String key) {
        return "blob".equals(key) || ("data".equals(key) && BINARY_ITEM_TYPES.contains(object.path("type").asText("")));
    }

    /** Replaces binary data holding a secret as a whole; data that is not base64 is treated as text. */
    private boolean redactBinary(Map.Entry<String, JsonNode> field) {
        String encoded = field.getValue().asText();
        byte[] bytes = decodeBase64(encoded);
        if (bytes == null) {
            String clean = clean(encoded);
            if (clean == null) {
                return false;
            }
            field.setValue(TextNode.valueOf(clean));
            return true;
        }
        if (SecretFinder.find(new String(bytes, StandardCharsets.ISO_8859_1), byteForms).isEmpty()) {
            return false;
        }
        field.setValue(TextNode.valueOf(REDACTED_BLOB));
        return true;
    }

    /* Line breaks allowed (MIME-wrapped data); anything else outside the alphabet means it is not base64. */
    private static byte[] decodeBase64(String encoded) {
        String compact = encoded.indexOf('\n') >= 0 || encoded.indexOf('\r') >= 0
                ? encoded.replace("\r", "").replace("\n", "") : encoded;
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException notStandard) {
            try {
                return Base64.getUrlDecoder().decode(compact);
            } catch (IllegalArgumentException notBase64) {
                return null;
            }
        }
    }

    /** Which secrets are redacted is not for logs. */
    @Override
    public String toString() {
        return "SecretRedactor[" + textForms + "]";
    }
}
