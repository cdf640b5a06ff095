package dev.mcpbroker.core.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.audit.CanonicalJson;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What an upstream says a tool is, as far as an approval covers it: the fields that tell a model what the tool does
 * and the broker how to treat a call ({@link #PINNED_FIELDS}), and the SHA-256 of their canonical JSON
 * ({@link CanonicalJson}), so two definitions are the same exactly when their hashes are. Fields outside the list
 * ({@code _meta}, icons) do not change what a call does and are not pinned.
 *
 * @param name    the tool's name
 * @param pinned  the pinned fields the upstream sent (absent ones are absent here too)
 * @param hash    lower-case hex SHA-256 of the canonical JSON of {@code pinned}
 */
public record ToolDefinition(String name, ObjectNode pinned, String hash) {

    /** The fields an approval covers. */
    public static final List<String> PINNED_FIELDS =
            List.of("name", "title", "description", "inputSchema", "outputSchema", "annotations");

    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        pinned = pinned.deepCopy();
        Objects.requireNonNull(hash, "hash");
    }

    /** The definition of one entry of a {@code tools/list} result; fields outside {@link #PINNED_FIELDS} are dropped. */
    public static ToolDefinition of(JsonNode tool) {
        ObjectNode pinned = JsonNodeFactory.instance.objectNode();
        for (String field : PINNED_FIELDS) {
            JsonNode value = tool.get(field);
            if (value != null && !value.isNull() && !value.isMissingNode()) {
                pinned.set(field, value.deepCopy());
            }
        }
        return new ToolDefinition(tool.path("name").asText(""), pinned, hashOf(pinned));
    }

    /** The canonical JSON text that is hashed and stored. */
    public String canonicalJson() {
        return CanonicalJson.write(pinned);
    }

    /** Whether the definition claims the tool only reads ({@code annotations.readOnlyHint: true}). */
    public boolean readOnlyHint() {
        return pinned.path("annotations").path("readOnlyHint").asBoolean(false);
    }

    /** Lower-case hex SHA-256 of the canonical JSON of {@code value}. */
    public static String hashOf(JsonNode value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CanonicalJson.bytes(value)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Descriptions may carry anything an upstream wrote: never print them. */
    @Override
    public String toString() {
        return "ToolDefinition[" + name + ", " + hash + "]";
    }
}
