package dev.mcpbroker.core.upstream;

import java.util.Set;

/**
 * Kill switches of one upstream server, for every agent at once.
 *
 * @param killed          the whole server is off: no new sessions, no calls
 * @param killedTools     tools that are off (exact names)
 * @param killedResources resources that are off: exact URIs, or prefixes ending in {@code *}; a template is off when
 *                        its text before the first expression is
 * @param killedPrompts   prompts that are off (exact names)
 */
public record ServerControls(boolean killed, Set<String> killedTools, Set<String> killedResources, Set<String> killedPrompts) {

    public static final ServerControls NONE = new ServerControls(false, Set.of(), Set.of(), Set.of());

    public ServerControls {
        killedTools = Set.copyOf(killedTools);
        killedResources = Set.copyOf(killedResources);
        killedPrompts = Set.copyOf(killedPrompts);
    }

    /** Switches for the server and its tools only. */
    public ServerControls(boolean killed, Set<String> killedTools) {
        this(killed, killedTools, Set.of(), Set.of());
    }

    public boolean isToolKilled(String tool) {
        return killedTools.contains(tool);
    }

    public boolean isPromptKilled(String prompt) {
        return killedPrompts.contains(prompt);
    }

    /** Whether a resource URI, or a template (by its text before the first expression), is switched off. */
    public boolean isResourceKilled(String uriOrTemplate) {
        if (uriOrTemplate == null) {
            return false;
        }
        int expression = uriOrTemplate.indexOf('{');
        String fixed = expression < 0 ? uriOrTemplate : uriOrTemplate.substring(0, expression);
        for (String switchedOff : killedResources) {
            if (switchedOff.endsWith("*") ? fixed.startsWith(switchedOff.substring(0, switchedOff.length() - 1))
                    : switchedOff.equals(uriOrTemplate)) {
                return true;
            }
        }
        return false;
    }
}
