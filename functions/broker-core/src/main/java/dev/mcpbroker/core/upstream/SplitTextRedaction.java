package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A secret split across the items of one answer's content ({@code "...Bearer upst"}, {@code "ream-ledger-..."}) is
 * in no single item, yet an agent joining the texts reads it whole. The texts of a content array's items are
 * therefore searched as one text, in order, and each item's part of an occurrence is replaced by the marker (a
 * secret inside a single item is found the same way).
 */
final class SplitTextRedaction {

    private static final String TEXT = "text";

    private SplitTextRedaction() {
    }

    /** Redacts the {@code text} of the items of {@code content}; returns whether anything was replaced. */
    static boolean redact(ArrayNode content, SecretForms forms, String marker) {
        List<ObjectNode> items = new ArrayList<>(content.size());
        StringBuilder joined = new StringBuilder();
        List<Integer> starts = new ArrayList<>(content.size());
        for (JsonNode element : content) {
            if (element instanceof ObjectNode item && item.path(TEXT).isTextual()) {
                items.add(item);
                starts.add(joined.length());
                joined.append(item.get(TEXT).asText());
            }
        }
        if (items.isEmpty()) {
            return false;
        }
        int[] partStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        List<int[]> ranges = SecretFinder.find(joined.toString(), forms, partStarts);
        if (ranges.isEmpty()) {
            return false;
        }
        for (int k = 0; k < items.size(); k++) {
            int start = starts.get(k);
            int end = k + 1 < items.size() ? starts.get(k + 1) : joined.length();
            List<int[]> local = new ArrayList<>();
            for (int[] range : ranges) {
                int from = Math.max(range[0], start);
                int to = Math.min(range[1], end);
                if (from < to) {
                    local.add(new int[] {from - start, to - start});
                }
            }
            if (!local.isEmpty()) {
                items.get(k).put(TEXT, SecretFinder.replace(joined.substring(start, end), local, marker));
            }
        }
        return true;
    }
}
