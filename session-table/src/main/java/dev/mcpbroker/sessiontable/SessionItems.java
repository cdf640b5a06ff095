package dev.mcpbroker.sessiontable;

import dev.mcpbroker.core.session.BrokerSession;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Maps sessions to DynamoDB items and back. Key attributes are added by the store. */
final class SessionItems {

    static final String SERVER_ID = "serverId";
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
        return new BrokerSession(
                item.get(SESSION_ID).s(),
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
