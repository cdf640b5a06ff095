package dev.mcpbroker.core.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Rules over resources: an exact URI, a URI prefix ending in {@code *}, {@code *} alone for every resource, or a URI
 * template (RFC 6570) whose expansions are granted. In a template, {@code {name}} stands for one path segment (no
 * {@code /}, {@code ?} or {@code #}) and an expression with an operator ({@code {+path}}, {@code {/segments}}, ...)
 * for any text, so a template grant never admits more than its expansions could name.
 */
public final class ResourceRules {

    private ResourceRules() {
    }

    public static boolean matchesUri(List<String> rules, String uri) {
        if (uri == null) {
            return false;
        }
        for (String rule : rules) {
            if (isTemplate(rule) ? templatePattern(rule).matcher(uri).matches() : matchesPlain(rule, uri)) {
                return true;
            }
        }
        return false;
    }

    /** A template is granted by the same template, or by a prefix or {@code *} rule that covers all it can name. */
    public static boolean matchesTemplate(List<String> rules, String uriTemplate) {
        if (uriTemplate == null) {
            return false;
        }
        for (String rule : rules) {
            // every expansion of a template starts with its text before the first expression
            if (rule.equals(uriTemplate) || (rule.endsWith("*") && !isTemplate(rule)
                    && uriTemplate.startsWith(rule.substring(0, rule.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesPlain(String rule, String uri) {
        return rule.endsWith("*") ? uri.startsWith(rule.substring(0, rule.length() - 1)) : uri.equals(rule);
    }

    private static boolean isTemplate(String rule) {
        return rule.indexOf('{') >= 0 && rule.indexOf('}') > rule.indexOf('{');
    }

    private static Pattern templatePattern(String template) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            int close = open < 0 ? -1 : template.indexOf('}', open);
            if (open < 0 || close < 0) {
                regex.append(Pattern.quote(template.substring(i)));
                break;
            }
            regex.append(Pattern.quote(template.substring(i, open)));
            char first = close > open + 1 ? template.charAt(open + 1) : '}';
            regex.append(Character.isLetterOrDigit(first) || first == '_' ? "[^/?#]+" : ".*");
            i = close + 1;
        }
        return Pattern.compile(regex.toString());
    }
}
