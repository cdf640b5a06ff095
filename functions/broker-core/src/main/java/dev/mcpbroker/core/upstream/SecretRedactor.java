package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Replaces every occurrence of an upstream credential in upstream output (a tool that echoes its
 * environment, an error that quotes a header) before anything reaches the agent. Object keys are
 * scanned too: a secret can arrive as a name as easily as as a value.
 */
public final class SecretRedactor {

    public static final String MARKER = "[REDACTED]";

    /** Shorter values are not redacted: they would match innocent text, and are not credentials. */
    private static final int MIN_SECRET_LENGTH = 6;

    private SecretRedactor() {
    }

    /** Redacts {@code secrets} inside {@code message} in place; returns whether anything was replaced. */
    public static boolean redact(ObjectNode message, Set<String> secrets) {
        if (secrets.isEmpty()) {
            return false;
        }
        return redactNode(message, secrets);
    }

    private static boolean redactNode(JsonNode node, Set<String> secrets) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            Map<String, JsonNode> renamed = new java.util.LinkedHashMap<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (value.isTextual()) {
                    String clean = clean(value.asText(), secrets);
                    if (clean != null) {
                        field.setValue(TextNode.valueOf(clean));
                        changed = true;
                    }
                } else {
                    changed |= redactNode(value, secrets);
                }
                String cleanKey = clean(field.getKey(), secrets);
                if (cleanKey != null) {
                    renamed.put(cleanKey, field.getValue());
                    fields.remove();
                    changed = true;
                }
            }
            object.setAll(renamed);
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                if (element.isTextual()) {
                    String clean = clean(element.asText(), secrets);
                    if (clean != null) {
                        array.set(i, TextNode.valueOf(clean));
                        changed = true;
                    }
                } else {
                    changed |= redactNode(element, secrets);
                }
            }
        }
        return changed;
    }

    /** The text with secrets replaced, or null when it contains none. */
    private static String clean(String text, Set<String> secrets) {
        String result = text;
        for (String secret : secrets) {
            if (secret.length() >= MIN_SECRET_LENGTH && result.contains(secret)) {
                result = result.replace(secret, MARKER);
            }
        }
        return result.equals(text) ? null : result;
    }
}
