package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Lambda event filtering ({@code FilterCriteria}) as an event source mapping applies it to each record before
 * batching: a record is kept when any pattern matches it (no patterns: every record). A pattern is a JSON object
 * whose fields name the record's fields; an object descends, an array lists the values one of which must match:
 * a literal, or {@code {"prefix": ..}}, {@code {"suffix": ..}}, {@code {"equals-ignore-case": ..}},
 * {@code {"anything-but": ..}} or {@code {"exists": true|false}}. Other operators are refused when the filter is
 * built rather than ignored, so a pattern this filter cannot honour never passes records Lambda would drop.
 */
public final class EventFilter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPERATORS = Set.of("prefix", "suffix", "equals-ignore-case", "anything-but", "exists");

    private final List<JsonNode> patterns;

    private EventFilter(List<JsonNode> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** Keeps every record. */
    public static EventFilter none() {
        return new EventFilter(List.of());
    }

    /**
     * The filter of these patterns, each a JSON text as in a template's {@code FilterCriteria.Filters[].Pattern}.
     *
     * @throws IllegalArgumentException for malformed JSON or an operator this filter does not implement
     */
    public static EventFilter of(List<String> patterns) {
        List<JsonNode> parsed = new ArrayList<>();
        for (String pattern : patterns) {
            JsonNode node;
            try {
                node = JSON.readTree(pattern);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("filter pattern is not JSON: " + pattern, e);
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("filter pattern must be a JSON object: " + pattern);
            }
            check(node);
            parsed.add(node);
        }
        return new EventFilter(parsed);
    }

    /** Whether {@code record} (one record as the function would see it) passes. */
    public boolean matches(JsonNode record) {
        return patterns.isEmpty() || patterns.stream().anyMatch(pattern -> matchesObject(pattern, record));
    }

    private static void check(JsonNode pattern) {
        for (Map.Entry<String, JsonNode> field : pattern.properties()) {
            JsonNode value = field.getValue();
            if (value.isObject()) {
                check(value);
            } else if (value.isArray()) {
                for (JsonNode candidate : value) {
                    if (candidate.isObject()) {
                        String operator = candidate.fieldNames().next();
                        JsonNode operand = candidate.get(operator);
                        boolean operandOk = switch (operator) {
                            case "exists" -> operand.isBoolean();
                            case "anything-but" -> operand.isValueNode()
                                    || operand.isArray() && operand.valueStream().allMatch(JsonNode::isValueNode);
                            default -> operand.isTextual();
                        };
                        if (candidate.size() != 1 || !OPERATORS.contains(operator) || !operandOk) {
                            throw new IllegalArgumentException("unsupported filter operator " + candidate + " (supported: "
                                    + OPERATORS + " with plain values)");
                        }
                    } else if (candidate.isArray()) {
                        throw new IllegalArgumentException("nested array in filter pattern: " + value);
                    }
                }
            } else {
                throw new IllegalArgumentException("filter pattern values are objects or arrays, not " + value);
            }
        }
    }

    private static boolean matchesObject(JsonNode pattern, JsonNode record) {
        for (Map.Entry<String, JsonNode> field : pattern.properties()) {
            JsonNode actual = record == null ? null : record.get(field.getKey());
            JsonNode expected = field.getValue();
            boolean matched = expected.isObject()
                    ? actual != null && actual.isObject() && matchesObject(expected, actual)
                    : matchesAny(expected, actual);
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    /** A value (or, for an array, any of its elements) matches any of the candidates. */
    private static boolean matchesAny(JsonNode candidates, JsonNode actual) {
        for (JsonNode candidate : candidates) {
            if (candidate.has("exists")) {
                if (candidate.get("exists").asBoolean() == (actual != null)) {
                    return true;
                }
                continue;
            }
            if (actual == null) {
                continue;
            }
            if (actual.isArray()) {
                for (JsonNode element : actual) {
                    if (matchesOne(candidate, element)) {
                        return true;
                    }
                }
            } else if (matchesOne(candidate, actual)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesOne(JsonNode candidate, JsonNode actual) {
        if (!candidate.isObject()) {
            return literal(candidate, actual);
        }
        if (candidate.has("prefix")) {
            return actual.isTextual() && actual.asText().startsWith(candidate.get("prefix").asText());
        }
        if (candidate.has("suffix")) {
            return actual.isTextual() && actual.asText().endsWith(candidate.get("suffix").asText());
        }
        if (candidate.has("equals-ignore-case")) {
            return actual.isTextual() && actual.asText().toLowerCase(Locale.ROOT)
                    .equals(candidate.get("equals-ignore-case").asText().toLowerCase(Locale.ROOT));
        }
        JsonNode excluded = candidate.get("anything-but");
        if (excluded.isArray()) {
            for (JsonNode value : excluded) {
                if (literal(value, actual)) {
                    return false;
                }
            }
            return true;
        }
        return !literal(excluded, actual);
    }

    private static boolean literal(JsonNode expected, JsonNode actual) {
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }
}
