package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
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
    static final String CREATED_AT = "createdAt";

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
        item.put(SessionExpressions.STATE, AttributeValue.fromS(session.state().name()));
        item.put(CREATED_AT, AttributeValue.fromN(Long.toString(session.createdAt().toEpochMilli())));
        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(session.expiresAt().getEpochSecond())));
        item.put(SessionExpressions.VERSION, AttributeValue.fromN(Long.toString(session.version())));
        return item;
    }

    static BrokerSession fromItem(Map<String, AttributeValue> item) {
        AttributeValue upstream = item.get(UPSTREAM_SESSION_ID);
        AttributeValue user = item.get(ON_BEHALF_OF);
        return new BrokerSession(
                item.get(SESSION_ID).s(),
                new SessionOwner(item.get(AGENT_ID).s(), item.get(TENANT_ID).s(), user == null ? null : user.s()),
                item.get(SERVER_ID).s(),
                upstream == null ? null : upstream.s(),
                item.get(PROTOCOL_VERSION).s(),
                item.get(INITIALIZE_PARAMS).s(),
                BrokerSession.State.valueOf(item.get(SessionExpressions.STATE).s()),
                Instant.ofEpochMilli(Long.parseLong(item.get(CREATED_AT).n())),
                Instant.ofEpochSecond(Long.parseLong(item.get(SessionTable.TTL_ATTRIBUTE).n())),
                Long.parseLong(item.get(SessionExpressions.VERSION).n()));
    }
}
