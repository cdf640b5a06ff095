package dev.mcpbroker.core.virtual;

import java.util.List;
import java.util.Optional;

/**
 * Virtual servers, kept where upstream servers are registered. The broker only reads ({@link #find}); the admin tool
 * defines and removes. A definition is one conditional write that also checks that no upstream server is registered
 * under its name and that every member is one; each refusal is a {@link VirtualServerRefusal} and leaves nothing
 * written.
 */
public interface VirtualServerRegistry {

    /** The virtual server agents reach as {@code /mcp/{name}}, if one is defined. */
    Optional<VirtualServer> find(String name);

    /** Every virtual server, in no particular order. */
    List<VirtualServer> all();

    /**
     * Defines a virtual server.
     *
     * @param replace false: refused ({@link VirtualServerRefusal.AlreadyDefined}) when one of that name exists; true:
     *                replaces one that exists, refused ({@link VirtualServerRefusal.NotDefined}) when none does
     * @throws VirtualServerRefusal.NameTaken     an upstream server has its name
     * @throws VirtualServerRefusal.UnknownMember a member is no registered upstream server
     */
    void define(VirtualServer server, boolean replace);

    /** Removes a virtual server; {@link VirtualServerRefusal.NotDefined} when none is defined under that name. */
    void remove(String name);

    /** A registry that defines none: every path segment names an upstream server. */
    VirtualServerRegistry NONE = new VirtualServerRegistry() {
        @Override
        public Optional<VirtualServer> find(String name) {
            return Optional.empty();
        }

        @Override
        public List<VirtualServer> all() {
            return List.of();
        }

        @Override
        public void define(VirtualServer server, boolean replace) {
            throw new UnsupportedOperationException("this registry holds no virtual servers");
        }

        @Override
        public void remove(String name) {
            throw new VirtualServerRefusal.NotDefined(name);
        }
    };
}
