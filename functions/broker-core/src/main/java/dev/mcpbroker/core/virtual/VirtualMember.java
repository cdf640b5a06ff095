package dev.mcpbroker.core.virtual;

import dev.mcpbroker.core.policy.NameRules;
import dev.mcpbroker.core.policy.ResourceRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One upstream server behind a virtual server, and which of its items the virtual server exposes.
 *
 * @param serverId  the upstream server's registry id
 * @param prefix    prepended with {@link #SEPARATOR} to the names of its tools and prompts ({@code pay} exposes tool
 *                  {@code transfer} as {@code pay__transfer}); null: names exposed as the upstream gives them.
 *                  Resource URIs are never renamed.
 * @param tools     the upstream's tools it exposes: exact names or prefixes ending in {@code *}; null: every tool
 * @param resources the resources and templates it exposes: exact URIs, prefixes ending in {@code *}, URI templates;
 *                  null: every one
 * @param prompts   the prompts it exposes: exact names or prefixes ending in {@code *}; null: every prompt
 */
public record VirtualMember(String serverId, String prefix, List<String> tools, List<String> resources,
                            List<String> prompts) {

    /** Between a member's prefix and an upstream name: tool and prompt names of MCP allow it, as most gateways use it. */
    public static final String SEPARATOR = "__";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public VirtualMember {
        Objects.requireNonNull(serverId, "serverId");
        if (serverId.isBlank()) {
            throw new VirtualServerRefusal.Invalid("a member names no server");
        }
        if (prefix != null && !PREFIX.matcher(prefix).matches()) {
            throw new VirtualServerRefusal.Invalid("prefix '" + prefix + "' of member " + serverId
                    + " is not 1-64 letters, digits, '_' or '-' starting with a letter or digit");
        }
        tools = selection(tools, "tools", serverId);
        resources = selection(resources, "resources", serverId);
        prompts = selection(prompts, "prompts", serverId);
    }

    /** A member exposing everything its upstream offers, under {@code prefix} (or none). */
    public static VirtualMember of(String serverId, String prefix) {
        return new VirtualMember(serverId, prefix, null, null, null);
    }

    /** The name an agent sees for the upstream's tool or prompt {@code upstreamName}. */
    public String exposed(String upstreamName) {
        return prefix == null ? upstreamName : prefix + SEPARATOR + upstreamName;
    }

    /** The upstream's name of the tool the agent calls {@code exposedName}, if this member exposes it. */
    public Optional<String> upstreamTool(String exposedName) {
        return upstreamName(exposedName).filter(this::exposesTool);
    }

    /** The upstream's name of the prompt the agent names {@code exposedName}, if this member exposes it. */
    public Optional<String> upstreamPrompt(String exposedName) {
        return upstreamName(exposedName).filter(this::exposesPrompt);
    }

    public boolean exposesTool(String upstreamName) {
        return tools == null || NameRules.matches(tools, upstreamName);
    }

    public boolean exposesPrompt(String upstreamName) {
        return prompts == null || NameRules.matches(prompts, upstreamName);
    }

    public boolean exposesResource(String uri) {
        return resources == null || ResourceRules.matchesUri(resources, uri);
    }

    public boolean exposesResourceTemplate(String uriTemplate) {
        return resources == null || ResourceRules.matchesTemplate(resources, uriTemplate);
    }

    /** The exposed tool names as rules (exact names or prefixes ending in {@code *}): what no other member may expose. */
    List<String> exposedToolRules() {
        return exposedRules(tools);
    }

    List<String> exposedPromptRules() {
        return exposedRules(prompts);
    }

    private List<String> exposedRules(List<String> selection) {
        return (selection == null ? List.of("*") : selection).stream().map(this::exposed).toList();
    }

    private Optional<String> upstreamName(String exposedName) {
        if (exposedName == null) {
            return Optional.empty();
        }
        if (prefix == null) {
            return Optional.of(exposedName);
        }
        String start = prefix + SEPARATOR;
        return exposedName.startsWith(start) && exposedName.length() > start.length()
                ? Optional.of(exposedName.substring(start.length())) : Optional.empty();
    }

    private static List<String> selection(List<String> rules, String what, String serverId) {
        if (rules == null) {
            return null;
        }
        if (rules.stream().anyMatch(rule -> rule == null || rule.isBlank())) {
            throw new VirtualServerRefusal.Invalid("the " + what + " of member " + serverId + " hold an empty rule");
        }
        return List.copyOf(rules);
    }
}
