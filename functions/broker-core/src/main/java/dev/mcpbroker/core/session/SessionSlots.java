package dev.mcpbroker.core.session;

/**
 * The capacity slots a session holds, one per lease pool it counts against: its server's cap, and the shares of
 * its tenant and of its agent when the registry sets them. {@link #NONE} for a slot it holds none of.
 *
 * @param server the slot of the server's session cap
 * @param tenant the slot of the tenant's share
 * @param agent  the slot of the agent's share
 */
public record SessionSlots(int server, int tenant, int agent) {

    public static final int NONE = -1;
    public static final SessionSlots NO_SLOTS = new SessionSlots(NONE, NONE, NONE);

    /** Only the server's cap. */
    public static SessionSlots server(int slot) {
        return new SessionSlots(slot, NONE, NONE);
    }
}
