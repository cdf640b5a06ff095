package dev.mcpbroker.sessiontable;

import dev.mcpbroker.testkit.aws.TestClients;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Duration;
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
        return BrokerSession.open("abc", OWNER, "payments", "up-1", "2025-11-25", "{}", UpstreamAffinity.NONE,
                Instant.ofEpochSecond(100), new SessionTimeouts(Duration.ofSeconds(100), Duration.ofSeconds(50), Duration.ZERO),
                BrokerSession.NO_SLOT, null);
    }

    @Test
    void createNeverOverwritesAnExistingItem() {
        PutItemRequest request = store.createRequest(session());
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk)");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        assertThat(request.item().get("pk").s()).isEqualTo("session#abc");
        assertThat(request.item().get("sk").s()).isEqualTo("session");
        assertThat(request.item().get("expiresAt").n()).isEqualTo("151"); // the idle deadline (150 s) comes first
    }

    @Test
    void aHeldSessionTakesThePlaceOfAnEndedOrExpiredOneButNeverOfALiveOne() {
        PutItemRequest request = store.createUnlessLiveRequest(session(), Instant.ofEpochMilli(5_000));
        assertThat(request.conditionExpression()).isEqualTo(
                "attribute_not_exists(#pk) OR #state = :ended OR #idleExpiresAt <= :now OR #absoluteExpiresAt <= :now");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#state", "state",
                "#idleExpiresAt", "idleExpiresAt", "#absoluteExpiresAt", "absoluteExpiresAt"));
        assertThat(request.expressionAttributeValues().get(":ended").s()).isEqualTo("ENDED");
        assertThat(request.expressionAttributeValues().get(":now").n()).isEqualTo("5000");
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
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

    @Test
    void replaceWritesOnlyOverTheVersionTheChangeWasComputedFromAndOnlyWhileActive() {
        BrokerSession next = session().touched(Instant.ofEpochSecond(120), new SessionTimeouts(Duration.ofSeconds(100),
                Duration.ofSeconds(50), Duration.ZERO));
        PutItemRequest request = store.replaceRequest(next, 1);
        assertThat(request.conditionExpression()).isEqualTo("#state = :active AND #version = :expectedVersion");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#state", "state", "#version", "version"));
        assertThat(request.expressionAttributeValues().get(":expectedVersion").n()).isEqualTo("1");
        assertThat(request.expressionAttributeValues().get(":active").s()).isEqualTo("ACTIVE");
        assertThat(request.item().get("version").n()).isEqualTo("2");
        assertThat(request.item().get("expiresAt").n()).isEqualTo("171");
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }
}
