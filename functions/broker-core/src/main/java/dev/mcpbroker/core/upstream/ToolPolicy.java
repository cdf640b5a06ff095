package dev.mcpbroker.core.upstream;

import java.util.Optional;
import java.util.Set;

/**
 * How the registry overrides what an upstream says about its tools. Annotations are the upstream's own
 * claims; an operator who knows better declares a tool read-only or state-changing here, and decides
 * whether a state-changing call on this server must carry an idempotency key.
 *
 * @param readOnlyTools         tools treated as read-only whatever their annotations say
 * @param stateChangingTools    tools treated as state-changing whatever their annotations say
 * @param requireIdempotencyKey this server's key policy; empty: the broker's default
 */
public record ToolPolicy(Set<String> readOnlyTools, Set<String> stateChangingTools, Optional<Boolean> requireIdempotencyKey) {

    public static final ToolPolicy NONE = new ToolPolicy(Set.of(), Set.of(), Optional.empty());

    public ToolPolicy {
        readOnlyTools = Set.copyOf(readOnlyTools);
        stateChangingTools = Set.copyOf(stateChangingTools);
        if (readOnlyTools.stream().anyMatch(stateChangingTools::contains)) {
            throw new IllegalArgumentException("a tool cannot be declared both read-only and state-changing");
        }
    }

    /** The registry's word on a tool, if it has one. */
    public Optional<Boolean> declaredReadOnly(String tool) {
        if (readOnlyTools.contains(tool)) {
            return Optional.of(true);
        }
        return stateChangingTools.contains(tool) ? Optional.of(false) : Optional.empty();
    }
}
