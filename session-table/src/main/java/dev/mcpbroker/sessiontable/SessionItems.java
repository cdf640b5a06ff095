package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionSlots;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Maps sessions to DynamoDB items and back. Key attributes are added by the store. */
final class SessionItems {

    static final String SERVER_ID = "serverId";
    static final String AGENT_ID = "agentId";
    static final String TENANT_ID = "tenantId";
    static final String ON_BEHALF_OF = "onBehalfOf";
    static final String SESSION_ID = "sessionId";
    static final String UPSTREAM_SESSION_ID = "upstreamSessionId";
    static final String PROTOCOL_VERSION = "protocolVersion";
    static final String INITIALIZE_PARAMS = "initializeParams";
    static final String AFFINITY = "affinityCookies";
    static final String CREATED_AT = "createdAt";
    static final String LAST_SEEN_AT = "lastSeenAt";
    static final String IDLE_EXPIRES_AT = "idleExpiresAt";
    static final String ABSOLUTE_EXPIRES_AT = "absoluteExpiresAt";
    static final String CAPACITY_SLOT = "capacitySlot";
    static final String TENANT_SLOT = "tenantSlot";
    static final String AGENT_SLOT = "agentSlot";
    static final String TASK_ID = "taskId";

    private SessionItems() {
    }

    static Map<String, AttributeValue> toItem(BrokerSession session) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(SESSION_ID, AttributeValue.fromS(session.sessionId()));
        item.put(AGENT_ID, AttributeValue.fromS(session.owner().agentId()));
        item.put(TENANT_ID, AttributeValue.fromS(session.owner().tenantId()));
        if (session.owner().onBehalfOf() != null) {
            item.put(ON_BEHALF_OF, AttributeValue.fromS(session.owner().onBehalfOf()));
        }
        item.put(SERVER_ID, AttributeValue.fromS(session.serverId()));
        session.upstreamSession().ifPresent(id -> item.put(UPSTREAM_SESSION_ID, AttributeValue.fromS(id)));
        item.put(PROTOCOL_VERSION, AttributeValue.fromS(session.protocolVersion()));
        item.put(INITIALIZE_PARAMS, AttributeValue.fromS(session.initializeParams()));
        if (!session.affinity().isEmpty()) {
            Map<String, AttributeValue> cookies = new HashMap<>();
            session.affinity().cookies().forEach((name, value) -> cookies.put(name, AttributeValue.fromS(value)));
            item.put(AFFINITY, AttributeValue.fromM(cookies));
        }
        item.put(SessionExpressions.STATE, AttributeValue.fromS(session.state().name()));
        item.put(CREATED_AT, millis(session.createdAt()));
        item.put(LAST_SEEN_AT, millis(session.lastSeenAt()));
        item.put(IDLE_EXPIRES_AT, millis(session.idleExpiresAt()));
        item.put(ABSOLUTE_EXPIRES_AT, millis(session.expiresAt()));
        // The TTL follows the idle deadline too, so sessions nobody uses any more leave the table.
        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(session.endOfLife().getEpochSecond() + 1)));
        putSlot(item, CAPACITY_SLOT, session.slots().server());
        putSlot(item, TENANT_SLOT, session.slots().tenant());
        putSlot(item, AGENT_SLOT, session.slots().agent());
        if (session.taskId() != null) {
            item.put(TASK_ID, AttributeValue.fromS(session.taskId()));
        }
        item.put(SessionExpressions.VERSION, AttributeValue.fromN(Long.toString(session.version())));
        return item;
    }

    static BrokerSession fromItem(Map<String, AttributeValue> item) {
        AttributeValue upstream = item.get(UPSTREAM_SESSION_ID);
        AttributeValue user = item.get(ON_BEHALF_OF);
        AttributeValue cookies = item.get(AFFINITY);
        AttributeValue task = item.get(TASK_ID);
        Map<String, String> affinity = new HashMap<>();
        if (cookies != null && cookies.hasM()) {
            cookies.m().forEach((name, value) -> affinity.put(name, value.s()));
        }
        return new BrokerSession(
                item.get(SESSION_ID).s(),
                new SessionOwner(item.get(AGENT_ID).s(), item.get(TENANT_ID).s(), user == null ? null : user.s()),
                item.get(SERVER_ID).s(),
                upstream == null ? null : upstream.s(),
                item.get(PROTOCOL_VERSION).s(),
                item.get(INITIALIZE_PARAMS).s(),
                new UpstreamAffinity(affinity),
                BrokerSession.State.valueOf(item.get(SessionExpressions.STATE).s()),
                instant(item.get(CREATED_AT)),
                instant(item.get(LAST_SEEN_AT)),
                instant(item.get(IDLE_EXPIRES_AT)),
                instant(item.get(ABSOLUTE_EXPIRES_AT)),
                new SessionSlots(slot(item, CAPACITY_SLOT), slot(item, TENANT_SLOT), slot(item, AGENT_SLOT)),
                task == null ? null : task.s(),
                Long.parseLong(item.get(SessionExpressions.VERSION).n()));
    }

    private static void putSlot(Map<String, AttributeValue> item, String name, int slot) {
        if (slot != SessionSlots.NONE) {
            item.put(name, AttributeValue.fromN(Integer.toString(slot)));
        }
    }

    private static int slot(Map<String, AttributeValue> item, String name) {
        AttributeValue slot = item.get(name);
        return slot == null ? SessionSlots.NONE : Integer.parseInt(slot.n());
    }

    private static AttributeValue millis(Instant instant) {
        return AttributeValue.fromN(Long.toString(instant.toEpochMilli()));
    }

    private static Instant instant(AttributeValue millis) {
        return Instant.ofEpochMilli(Long.parseLong(millis.n()));
    }
}
