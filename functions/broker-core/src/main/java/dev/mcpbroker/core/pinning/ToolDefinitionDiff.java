package dev.mcpbroker.core.pinning;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.audit.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What changed between an approved and a live tool definition, as lines an operator reads before approving: texts
 * (title, description) old and new in full, line by line, and every changed member of the schemas and annotations
 * by its path ({@code annotations.readOnlyHint: false -> true}, {@code + inputSchema.properties.memo: {...}}).
 */
public final class ToolDefinitionDiff {

    private ToolDefinitionDiff() {
    }

    /** The differences, in {@link ToolDefinition#PINNED_FIELDS} order; empty when the two are the same. */
    public static List<String> between(ToolDefinition approved, ToolDefinition live) {
        List<String> lines = new ArrayList<>();
        for (String field : ToolDefinition.PINNED_FIELDS) {
            JsonNode before = approved.pinned().get(field);
            JsonNode after = live.pinned().get(field);
            if (before != null && before.isTextual() || after != null && after.isTextual()) {
                text(field, before, after, lines);
            } else {
                member(field, before, after, lines);
            }
        }
        return lines;
    }

    private static void text(String field, JsonNode before, JsonNode after, List<String> lines) {
        if (same(before, after)) {
            return;
        }
        lines.add(field + ":");
        if (before != null) {
            before.asText().lines().forEach(line -> lines.add("  - " + line));
        }
        if (after != null) {
            after.asText().lines().forEach(line -> lines.add("  + " + line));
        }
    }

    private static void member(String path, JsonNode before, JsonNode after, List<String> lines) {
        if (same(before, after)) {
            return;
        }
        if (before == null) {
            lines.add("+ " + path + ": " + CanonicalJson.write(after));
        } else if (after == null) {
            lines.add("- " + path + ": " + CanonicalJson.write(before));
        } else if (before.isObject() && after.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                member(path + "." + name, before.get(name), after.get(name), lines);
            }
        } else {
            lines.add("  " + path + ": " + CanonicalJson.write(before) + " -> " + CanonicalJson.write(after));
        }
    }

    private static boolean same(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return before == after;
        }
        return CanonicalJson.write(before).equals(CanonicalJson.write(after));
    }
}
