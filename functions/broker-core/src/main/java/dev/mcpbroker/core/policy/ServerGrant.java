package dev.mcpbroker.core.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an agent may do on one upstream server, capability by capability. Anything a grant does not name is
 * refused before the upstream is contacted.
 *
 * @param serverId  the server
 * @param tools     tools it may list and call: exact names, or prefixes ending in {@code *}. Null allows every tool
 *                  (grants written before tools could be named one by one mean that).
 * @param resources resources it may list, read, subscribe to and complete: exact URIs, URI prefixes ending in
 *                  {@code *}, or URI templates ({@code file:///docs/{name}}); {@code *} alone for all. Null: none.
 * @param prompts   prompts it may list, get and complete: exact names or prefixes ending in {@code *}; {@code *}
 *                  alone for all. Null: none.
 * @param methods   further methods it may send that the broker's method table does not govern by capability (a
 *                  vendor's {@code x-acme/reindex}); exact names. Null: none.
 */
public record ServerGrant(String serverId, List<String> tools, List<String> resources, List<String> prompts,
                          List<String> methods) {

    public ServerGrant {
        Objects.requireNonNull(serverId, "serverId");
        tools = tools == null ? null : List.copyOf(tools);
        resources = resources == null ? null : List.copyOf(resources);
        prompts = prompts == null ? null : List.copyOf(prompts);
        methods = methods == null ? null : List.copyOf(methods);
    }

    /** A grant of tools only: no resources, prompts or further methods. */
    public ServerGrant(String serverId, List<String> tools) {
        this(serverId, tools, null, null, null);
    }

    public Optional<List<String>> toolRules() {
        return Optional.ofNullable(tools);
    }

    public boolean allowsTool(String tool) {
        return tools == null || NameRules.matches(tools, tool);
    }

    public boolean allowsPrompt(String prompt) {
        return prompts != null && NameRules.matches(prompts, prompt);
    }

    /** Whether a resource URI (a read, a subscription, a list entry) is granted. */
    public boolean allowsResource(String uri) {
        return resources != null && ResourceRules.matchesUri(resources, uri);
    }

    /** Whether a resource template (a templates list entry, a completion's reference) is granted. */
    public boolean allowsResourceTemplate(String uriTemplate) {
        return resources != null && ResourceRules.matchesTemplate(resources, uriTemplate);
    }

    public boolean allowsMethod(String method) {
        return methods != null && methods.contains(method);
    }
}
