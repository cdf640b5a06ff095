package dev.mcpbroker.core.upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where the {@link SecretForms forms} of a credential occur in one text: a sorted list of disjoint
 * {@code [start, end)} ranges to replace. A base64 match covers the whole encoded value it lies in (its outer
 * characters carry bits of the secret too); every other match covers what matched.
 *
 * <p>Built for the common case, text without secrets: case folding allocates only for text with capitals, every
 * form is one {@link String#indexOf} pass, and the percent-decoded view is built only for text containing {@code %}.
 */
final class SecretFinder {

    private SecretFinder() {
    }

    /** Ranges to redact in {@code text}; empty when it holds no form of the secret. */
    static List<int[]> find(String text, SecretForms forms) {
        return find(text, forms, NO_PARTS);
    }

    private static final int[] NO_PARTS = {0};

    /**
     * Ranges to redact in {@code text} joined from parts (content items) starting at {@code partStarts} (ascending,
     * the first 0). An encoded value is widened only within the parts its match touches: the value before it in the
     * previous item is another one.
     */
    static List<int[]> find(String text, SecretForms forms, int[] partStarts) {
        if (forms.isEmpty() || text.length() < SecretForms.MIN_SECRET_LENGTH) {
            return List.of();
        }
        List<int[]> ranges = null;
        String folded = SecretForms.fold(text);
        for (String needle : forms.foldedNeedles()) {
            for (int at = folded.indexOf(needle); at >= 0; at = folded.indexOf(needle, at + 1)) {
                ranges = add(ranges, at, at + needle.length());
            }
        }
        for (String core : forms.base64Cores()) {
            for (int at = text.indexOf(core); at >= 0; at = text.indexOf(core, at + 1)) {
                int end = at + core.length();
                ranges = add(ranges, base64RunStart(text, at, partStart(partStarts, at)),
                        base64RunEnd(text, end, partEnd(partStarts, end - 1, text.length())));
            }
        }
        if (text.indexOf('%') >= 0) {
            ranges = findPercentEncoded(text, forms, ranges);
        }
        return ranges == null ? List.of() : merged(ranges);
    }

    /** Matches in the text with every {@code %XX} decoded to the byte it stands for, mapped back to the original. */
    private static List<int[]> findPercentEncoded(String text, SecretForms forms, List<int[]> ranges) {
        StringBuilder decoded = new StringBuilder(text.length());
        int[] origin = new int[text.length() + 1];
        int i = 0;
        while (i < text.length()) {
            origin[decoded.length()] = i;
            char c = text.charAt(i);
            int high = c == '%' && i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
            if (low >= 0) {
                decoded.append((char) (high * 16 + low));
                i += 3;
            } else {
                decoded.append(c);
                i++;
            }
        }
        origin[decoded.length()] = text.length();
        String view = SecretForms.fold(decoded.toString());
        for (String needle : forms.decodedNeedles()) {
            for (int at = view.indexOf(needle); at >= 0; at = view.indexOf(needle, at + 1)) {
                ranges = add(ranges, origin[at], origin[at + needle.length()]);
            }
        }
        return ranges;
    }

    private static List<int[]> add(List<int[]> ranges, int start, int end) {
        List<int[]> list = ranges == null ? new ArrayList<>(2) : ranges;
        list.add(new int[] {start, end});
        return list;
    }

    /** Sorted, overlapping and touching ranges joined. */
    static List<int[]> merged(List<int[]> ranges) {
        ranges.sort(Comparator.comparingInt(r -> r[0]));
        List<int[]> result = new ArrayList<>(ranges.size());
        for (int[] range : ranges) {
            int[] last = result.isEmpty() ? null : result.get(result.size() - 1);
            if (last != null && range[0] <= last[1]) {
                last[1] = Math.max(last[1], range[1]);
            } else {
                result.add(new int[] {range[0], range[1]});
            }
        }
        return result;
    }

    /* The run of base64 or base64url characters a match lies in: an encoded value ends at anything else. */
    private static int base64RunStart(String text, int from, int limit) {
        int start = from;
        while (start > limit && isBase64Char(text.charAt(start - 1))) {
            start--;
        }
        return start;
    }

    private static int base64RunEnd(String text, int from, int limit) {
        int end = from;
        while (end < limit && isBase64Char(text.charAt(end))) {
            end++;
        }
        while (end < limit && text.charAt(end) == '=') {
            end++;
        }
        return end;
    }

    /** Where the part holding position {@code at} starts. */
    private static int partStart(int[] partStarts, int at) {
        return partStarts[firstStartAfter(partStarts, at) - 1];
    }

    /** Where the part holding position {@code at} ends. */
    private static int partEnd(int[] partStarts, int at, int length) {
        int next = firstStartAfter(partStarts, at);
        return next < partStarts.length ? partStarts[next] : length;
    }

    /* Index of the first part starting after {@code at} (parts of empty text share a start). */
    private static int firstStartAfter(int[] partStarts, int at) {
        int low = 0;
        int high = partStarts.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (partStarts[middle] <= at) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private static boolean isBase64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '-' || c == '_';
    }

    /** {@code text} with each range replaced by {@code marker}. */
    static String replace(String text, List<int[]> ranges, String marker) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        for (int[] range : ranges) {
            out.append(text, from, range[0]).append(marker);
            from = range[1];
        }
        return out.append(text, from, text.length()).toString();
    }
}
