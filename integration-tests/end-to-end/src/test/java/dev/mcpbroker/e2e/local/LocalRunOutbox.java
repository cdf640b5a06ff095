package dev.mcpbroker.e2e.local;

import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The audit outbox in a local run's state table, read as an operator could: every audit event the broker recorded,
 * and whether the forwarder marked it delivered.
 */
record LocalRunOutbox(DynamoDbClient dynamoDb, String table) {

    /** Event items ({@code pk = audit#<chain>}, {@code sk = event#<seq>}). */
    List<Map<String, AttributeValue>> items() {
        return dynamoDb.scanPaginator(b -> b.tableName(table).consistentRead(true)
                        .filterExpression("begins_with(pk, :audit) AND begins_with(sk, :event)")
                        .expressionAttributeValues(Map.of(":audit", AttributeValue.fromS("audit#"), ":event", AttributeValue.fromS("event#"))))
                .items().stream().toList();
    }

    List<AuditEvent> events() {
        AuditEventCodec codec = new AuditEventCodec();
        return items().stream().map(item -> codec.decode(item.get("event").s().getBytes(StandardCharsets.UTF_8))).toList();
    }

    /** Events the forwarder has not marked delivered yet. */
    long undelivered() {
        return items().stream().filter(item -> !Boolean.TRUE.equals(item.getOrDefault("delivered", AttributeValue.fromBool(false)).bool()))
                .count();
    }

    /** The last event of the chain (session) in which a call carried {@code idempotencyKey}. */
    AuditEvent lastOfChainWith(String idempotencyKey) {
        List<AuditEvent> events = events();
        String chain = events.stream().filter(e -> Objects.equals(e.idempotencyKey(), idempotencyKey)).map(AuditEvent::chainKey)
                .findFirst().orElseThrow(() -> new AssertionError("no audit event carries idempotency key " + idempotencyKey));
        return events.stream().filter(e -> e.chainKey().equals(chain)).max(Comparator.comparingLong(AuditEvent::sessionSeq))
                .orElseThrow();
    }
}
