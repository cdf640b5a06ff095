package dev.mcpbroker.admin;

import dev.mcpbroker.admin.Arguments.UsageException;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code admin.sh define-virtual-server | remove-virtual-server | list-virtual-servers}: names agents use for several
 * upstream servers at once. A member is written {@code server[;prefix=p][;tools=a,b*][;resources=u,p*][;prompts=x,y*]}
 * (an empty list, {@code tools=}, exposes none; no list, every one). Definitions whose members could expose one name
 * twice, a name an upstream server has, and members that are not registered are refused with nothing written.
 */
final class VirtualServerCommand {

    static final Set<String> COMMANDS = Set.of("define-virtual-server", "remove-virtual-server", "list-virtual-servers");
    private static final Set<String> MEMBER_FIELDS = Set.of("prefix", "tools", "resources", "prompts");

    private final VirtualServerRegistry registry;
    private final PrintStream out;

    VirtualServerCommand(VirtualServerRegistry registry, PrintStream out) {
        this.registry = registry;
        this.out = out;
    }

    /** Runs the command; returns the exit status (0 done, 1 refused). */
    int run(Arguments a, PrintStream err) {
        try {
            switch (a.command()) {
                case "define-virtual-server" -> {
                    a.refuseOptionsOutside(Set.of("--replace"));
                    String name = a.positional("virtual server name");
                    List<VirtualMember> members = new ArrayList<>();
                    for (String spec : a.rest()) {
                        members.add(member(spec));
                    }
                    if (members.isEmpty()) {
                        throw new UsageException("define-virtual-server needs at least one member");
                    }
                    boolean replace = Boolean.parseBoolean(a.option("--replace", "false"));
                    registry.define(new VirtualServer(name, members), replace);
                    out.println((replace ? "replaced " : "defined ") + name);
                }
                case "remove-virtual-server" -> {
                    a.refuseOptionsOutside(Set.of());
                    String name = a.positional("virtual server name");
                    a.requireAllUsed();
                    registry.remove(name);
                    out.println("removed " + name);
                }
                case "list-virtual-servers" -> {
                    a.refuseOptionsOutside(Set.of());
                    a.requireAllUsed();
                    registry.all().stream().sorted(Comparator.comparing(VirtualServer::name))
                            .forEach(server -> out.println(describe(server)));
                }
                default -> throw new UsageException("unknown command '" + a.command() + "'");
            }
            return 0;
        } catch (VirtualServerRefusal e) {
            err.println("admin: " + e.reason() + ": " + e.getMessage());
            return 1;
        }
    }

    /** {@code server[;prefix=p][;tools=..][;resources=..][;prompts=..]}. */
    static VirtualMember member(String spec) {
        String[] parts = spec.split(";", -1);
        Map<String, List<String>> fields = new HashMap<>();
        String prefix = null;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String field = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            if (eq < 0 || !MEMBER_FIELDS.contains(field) || fields.containsKey(field) || ("prefix".equals(field) && prefix != null)) {
                throw new UsageException("member '" + spec + "': each part after the server is prefix=, tools=, resources="
                        + " or prompts=, once");
            }
            String value = parts[i].substring(eq + 1);
            if ("prefix".equals(field)) {
                prefix = value;
            } else {
                fields.put(field, Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList());
            }
        }
        return new VirtualMember(parts[0].trim(), prefix, fields.get("tools"), fields.get("resources"), fields.get("prompts"));
    }

    static String describe(VirtualServer server) {
        StringBuilder line = new StringBuilder(server.name());
        for (VirtualMember member : server.members()) {
            line.append('\t').append(member.serverId());
            if (member.prefix() != null) {
                line.append(";prefix=").append(member.prefix());
            }
            append(line, "tools", member.tools());
            append(line, "resources", member.resources());
            append(line, "prompts", member.prompts());
        }
        return line.toString();
    }

    private static void append(StringBuilder line, String field, List<String> rules) {
        if (rules != null) {
            line.append(';').append(field).append('=').append(String.join(",", rules));
        }
    }
}
