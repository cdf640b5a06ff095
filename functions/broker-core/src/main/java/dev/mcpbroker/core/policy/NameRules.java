package dev.mcpbroker.core.policy;

import java.util.List;

/** Rules over names (tools, prompts): an exact name, a prefix ending in {@code *}, or {@code *} for every name. */
public final class NameRules {

    private NameRules() {
    }

    public static boolean matches(List<String> rules, String name) {
        if (name == null) {
            return false;
        }
        for (String rule : rules) {
            if (rule.endsWith("*") ? name.startsWith(rule.substring(0, rule.length() - 1)) : name.equals(rule)) {
                return true;
            }
        }
        return false;
    }
}
