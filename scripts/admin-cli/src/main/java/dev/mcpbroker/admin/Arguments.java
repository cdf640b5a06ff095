package dev.mcpbroker.admin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code command positional... --option value...}; every argument must be used. */
final class Arguments {

    /** A wrong command line; the usage text follows. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Deque<String> positionals = new ArrayDeque<>();
    private final Map<String, String> options = new HashMap<>();

    Arguments(String[] args) {
        command = args[0];
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    throw new UsageException(args[i] + " needs a value");
                }
                options.put(args[i], args[++i]);
            } else {
                positionals.add(args[i]);
            }
        }
    }

    String command() {
        return command;
    }

    String positional(String what) {
        if (positionals.isEmpty()) {
            throw new UsageException(command + " needs a " + what);
        }
        return positionals.removeFirst();
    }

    /** Every positional argument not taken yet, in order. */
    java.util.List<String> rest() {
        java.util.List<String> rest = java.util.List.copyOf(positionals);
        positionals.clear();
        return rest;
    }

    String required(String name) {
        String value = options.get(name);
        if (value == null) {
            throw new UsageException(command + " needs " + name);
        }
        return value;
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** A comma-separated option as a list; null when the option is absent. */
    java.util.List<String> list(String name) {
        String value = options.get(name);
        return value == null ? null
                : java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    void refuseOptionsOutside(Set<String> allowed) {
        for (String option : options.keySet()) {
            if (!allowed.contains(option)) {
                throw new UsageException("unknown option '" + option + "' for " + command);
            }
        }
    }

    void requireAllUsed() {
        if (!positionals.isEmpty()) {
            throw new UsageException("unexpected argument '" + positionals.peekFirst() + "'");
        }
    }
}
