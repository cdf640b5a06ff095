package dev.mcpbroker.conformance.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The one ObjectMapper of the server and small helpers for building and reading JSON trees. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** An object from alternating keys and values (values: String, Number, Boolean, JsonNode, null). */
    public static ObjectNode object(Object... keysAndValues) {
        ObjectNode node = object();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], toNode(keysAndValues[i + 1]));
        }
        return node;
    }

    public static ArrayNode array(Object... values) {
        ArrayNode node = array();
        for (Object value : values) {
            node.add(toNode(value));
        }
        return node;
    }

    public static JsonNode toNode(Object value) {
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof List<?> list) {
            ArrayNode node = array();
            list.forEach(v -> node.add(toNode(v)));
            return node;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = object();
            map.forEach((k, v) -> node.set(String.valueOf(k), toNode(v)));
            return node;
        }
        return MAPPER.valueToTree(value);
    }

    public static JsonNode parse(byte[] bytes) throws IOException {
        return MAPPER.readTree(bytes);
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The string at {@code field}, or null when absent or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** The object at {@code field}, or null when absent or not an object. */
    public static ObjectNode objectAt(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value instanceof ObjectNode object ? object : null;
    }

    /**
     * A canonical serialisation (object members sorted by name, recursively), so that equal JSON values
     * produce equal strings whatever the member order on the wire.
     */
    public static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        appendCanonical(node == null ? NODES.nullNode() : node, out);
        return out.toString();
    }

    private static void appendCanonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(NODES.textNode(names.get(i))).append(':');
                appendCanonical(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            Iterator<JsonNode> items = node.elements();
            boolean first = true;
            while (items.hasNext()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                appendCanonical(items.next(), out);
            }
            out.append(']');
        } else {
            out.append(node);
        }
    }
}
