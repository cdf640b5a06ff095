package dev.mcpbroker.core.virtual;

/**
 * Why a virtual server was not defined (or removed): one exception per failure mode, each with a stable reason the
 * admin tool prints. Every one is thrown before anything was written.
 */
public abstract sealed class VirtualServerRefusal extends RuntimeException {

    private VirtualServerRefusal(String message) {
        super(message);
    }

    /** The stable, machine-readable reason. */
    public abstract String reason();

    /** The definition itself is malformed (a name, a prefix, a rule, no members, a member twice). */
    public static final class Invalid extends VirtualServerRefusal {
        public Invalid(String message) {
            super(message);
        }

        @Override
        public String reason() {
            return "virtual_server_invalid";
        }
    }

    /** Two members could expose the same final tool or prompt name. */
    public static final class NameConflict extends VirtualServerRefusal {
        public NameConflict(String message) {
            super(message);
        }

        @Override
        public String reason() {
            return "virtual_name_conflict";
        }
    }

    /** An upstream server is registered under the virtual server's name. */
    public static final class NameTaken extends VirtualServerRefusal {
        public NameTaken(String name) {
            super("an upstream server is registered as '" + name + "'");
        }

        @Override
        public String reason() {
            return "virtual_name_taken";
        }
    }

    /** A member names no registered upstream server. */
    public static final class UnknownMember extends VirtualServerRefusal {
        public UnknownMember(String message) {
            super(message);
        }

        @Override
        public String reason() {
            return "virtual_member_unknown";
        }
    }

    /** Defined already (a new definition never overwrites one; replacing says so). */
    public static final class AlreadyDefined extends VirtualServerRefusal {
        public AlreadyDefined(String name) {
            super("a virtual server '" + name + "' is defined already");
        }

        @Override
        public String reason() {
            return "virtual_server_exists";
        }
    }

    /** Not defined (a replacement or removal of a virtual server that does not exist). */
    public static final class NotDefined extends VirtualServerRefusal {
        public NotDefined(String name) {
            super("no virtual server '" + name + "' is defined");
        }

        @Override
        public String reason() {
            return "virtual_server_not_found";
        }
    }
}
