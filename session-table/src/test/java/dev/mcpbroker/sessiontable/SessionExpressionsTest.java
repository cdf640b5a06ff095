package dev.mcpbroker.sessiontable;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Pins every condition expression: a change here changes what concurrent broker instances may do to a
 * session, so it must be a deliberate change to this test too.
 */
class SessionExpressionsTest {

    private static final SessionOwner OWNER = new SessionOwner("agent-a", "tenant-1", null);

    private final DynamoDbSessionStore store = new DynamoDbSessionStore(
            TestClients.offlineDynamoDb(),
            "state");

    private static BrokerSession session() {
        return new BrokerSession("abc", OWNER, "payments", "up-1", "2025-11-25", "{}", BrokerSession.State.ACTIVE,
                Instant.ofEpochSecond(100), Instant.ofEpochSecond(200), 1);
    }

    @Test
    void createNeverOverwritesAnExistingItem() {
        PutItemRequest request = store.createRequest(session());
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item().get("pk").s()).isEqualTo("session#abc");
        assertThat(request.item().get("sk").s()).isEqualTo("session");
        assertThat(request.item().get("expiresAt").n()).isEqualTo("200");
    }

    @Test
    void endRequiresAnActiveSessionAtTheVersionTheCallerRead() {
        UpdateItemRequest request = store.endRequest("abc", 4, Instant.ofEpochMilli(1234));
        assertThat(request.conditionExpression()).isEqualTo("#state = :active AND #version = :expectedVersion");
        assertThat(request.updateExpression()).isEqualTo("SET #state = :ended, #endedAt = :endedAt, #version = :nextVersion");
        assertThat(request.expressionAttributeNames())
                .isEqualTo(Map.of("#state", "state", "#version", "version", "#endedAt", "endedAt"));
        assertThat(request.expressionAttributeValues().get(":expectedVersion").n()).isEqualTo("4");
        assertThat(request.expressionAttributeValues().get(":nextVersion").n()).isEqualTo("5");
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }
}
