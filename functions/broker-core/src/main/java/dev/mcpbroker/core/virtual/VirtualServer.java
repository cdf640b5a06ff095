package dev.mcpbroker.core.virtual;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A name agents use in {@code /mcp/{name}} for several upstream servers at once. Its members are kept in order: lists
 * merge in that order. A definition whose members could expose the same final tool or prompt name is refused here,
 * when it is defined, so every exposed name belongs to exactly one member and a call is routed without asking any
 * upstream. Resource URIs are not renamed: a URI goes to the first member (in order) whose selection covers it.
 *
 * @param name    the path segment agents use
 * @param members the upstream servers behind it, in order
 */
public record VirtualServer(String name, List<VirtualMember> members) {

    /** A DynamoDB transaction holds the definition and a check per member: bounded well below its 100 items. */
    public static final int MAX_MEMBERS = 50;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** A member and the upstream's own name of what the agent named. */
    public record Routed(VirtualMember member, String upstreamName) {
    }

    public VirtualServer {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new VirtualServerRefusal.Invalid("virtual server name '" + name
                    + "' is not 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit");
        }
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        if (members.isEmpty() || members.size() > MAX_MEMBERS) {
            throw new VirtualServerRefusal.Invalid("a virtual server has 1 to " + MAX_MEMBERS + " members");
        }
        Set<String> seen = new HashSet<>();
        for (VirtualMember member : members) {
            if (!seen.add(member.serverId())) {
                throw new VirtualServerRefusal.Invalid("server " + member.serverId() + " is a member twice");
            }
            if (member.serverId().equals(name)) {
                throw new VirtualServerRefusal.Invalid("a virtual server cannot be its own member");
            }
        }
        refuseConflicts(members, "tool", VirtualMember::exposedToolRules);
        refuseConflicts(members, "prompt", VirtualMember::exposedPromptRules);
    }

    /** The member whose tool the agent calls {@code exposedName}; at most one can have it. */
    public Optional<Routed> tool(String exposedName) {
        for (VirtualMember member : members) {
            Optional<String> upstream = member.upstreamTool(exposedName);
            if (upstream.isPresent()) {
                return Optional.of(new Routed(member, upstream.get()));
            }
        }
        return Optional.empty();
    }

    /** The member whose prompt the agent names {@code exposedName}; at most one can have it. */
    public Optional<Routed> prompt(String exposedName) {
        for (VirtualMember member : members) {
            Optional<String> upstream = member.upstreamPrompt(exposedName);
            if (upstream.isPresent()) {
                return Optional.of(new Routed(member, upstream.get()));
            }
        }
        return Optional.empty();
    }

    /** The members whose selection covers a resource URI, in order. */
    public List<VirtualMember> resourceOwners(String uri) {
        return members.stream().filter(member -> member.exposesResource(uri)).toList();
    }

    /** The members whose selection covers a resource template, in order. */
    public List<VirtualMember> templateOwners(String uriTemplate) {
        return members.stream().filter(member -> member.exposesResourceTemplate(uriTemplate)).toList();
    }

    private static void refuseConflicts(List<VirtualMember> members, String kind,
                                        java.util.function.Function<VirtualMember, List<String>> rulesOf) {
        List<List<String>> rules = new ArrayList<>();
        for (VirtualMember member : members) {
            rules.add(rulesOf.apply(member));
        }
        for (int i = 0; i < members.size(); i++) {
            for (int j = i + 1; j < members.size(); j++) {
                for (String a : rules.get(i)) {
                    for (String b : rules.get(j)) {
                        if (overlap(a, b)) {
                            throw new VirtualServerRefusal.NameConflict("members " + members.get(i).serverId() + " and "
                                    + members.get(j).serverId() + " could both expose a " + kind + " named " + example(a, b)
                                    + "; give one of them a prefix or select its " + kind + "s");
                        }
                    }
                }
            }
        }
    }

    /** Whether some name matches both rules (exact names, or prefixes ending in {@code *}). */
    static boolean overlap(String a, String b) {
        boolean wildA = a.endsWith("*");
        boolean wildB = b.endsWith("*");
        String stemA = wildA ? a.substring(0, a.length() - 1) : a;
        String stemB = wildB ? b.substring(0, b.length() - 1) : b;
        if (wildA && wildB) {
            return stemA.startsWith(stemB) || stemB.startsWith(stemA);
        }
        if (wildA) {
            return stemB.startsWith(stemA);
        }
        if (wildB) {
            return stemA.startsWith(stemB);
        }
        return a.equals(b);
    }

    private static String example(String a, String b) {
        return "'" + (a.length() >= b.length() ? a : b) + "'";
    }
}
