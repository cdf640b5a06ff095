package dev.mcpbroker.sessiontable.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** Pins every condition on lease and warm-pool items: they are what keeps a cap exact. */
class LeaseExpressionsTest {

    private final DynamoDbLeaseStore leases = new DynamoDbLeaseStore(TestClients.offlineDynamoDb(), "state");
    private final DynamoDbWarmSessionPool warm = new DynamoDbWarmSessionPool(TestClients.offlineDynamoDb(), "state");
    private final Lease lease = new Lease("sessions#payments", 7, "session-1", Instant.ofEpochMilli(90_000));

    @Test
    void acquireTakesOnlyAFreeOrExpiredSlot() {
        PutItemRequest request = leases.acquireRequest(lease, Instant.ofEpochMilli(30_000));
        assertThat(request.conditionExpression()).isEqualTo("attribute_not_exists(#pk) OR #until < :now");
        assertThat(request.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk", "#until", "leaseUntil"));
        assertThat(request.expressionAttributeValues().get(":now").n()).isEqualTo("30000");
        assertThat(request.item().get("pk").s()).isEqualTo("lease#sessions#payments");
        assertThat(request.item().get("sk").s()).isEqualTo("slot#000007");
        assertThat(request.item().get("leaseUntil").n()).isEqualTo("90000");
        assertThat(request.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void onlyTheHolderRenewsOrReleases() {
        UpdateItemRequest renew = leases.renewRequest(lease, Instant.ofEpochMilli(120_000));
        assertThat(renew.conditionExpression()).isEqualTo("#holder = :holder");
        assertThat(renew.updateExpression()).isEqualTo("SET #until = :until, #ttl = :ttl");
        assertThat(renew.expressionAttributeNames()).isEqualTo(Map.of("#holder", "holder", "#until", "leaseUntil", "#ttl", "expiresAt"));
        assertThat(renew.expressionAttributeValues().get(":holder").s()).isEqualTo("session-1");

        DeleteItemRequest release = leases.releaseRequest(lease);
        assertThat(release.conditionExpression()).isEqualTo("#holder = :holder");
        assertThat(release.expressionAttributeNames()).isEqualTo(Map.of("#holder", "holder"));
        assertThat(release.returnValuesOnConditionCheckFailure()).isEqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    }

    @Test
    void reaperDeletesOnlyWhatIsStillExpired() {
        DeleteItemRequest reap = leases.reapRequest(lease, Instant.ofEpochMilli(100_000));
        assertThat(reap.conditionExpression()).isEqualTo("#until < :now");
        assertThat(reap.expressionAttributeNames()).isEqualTo(Map.of("#until", "leaseUntil"));
        assertThat(reap.expressionAttributeValues().get(":now").n()).isEqualTo("100000");
    }

    @Test
    void takingAWarmSessionIsAConditionalDeleteReturningIt() {
        WarmSession session = new WarmSession("payments", "e1", "up-1", "2025-11-25", "2025-11-25", "{}", "{}",
                UpstreamAffinity.NONE, Instant.ofEpochMilli(5), Instant.ofEpochMilli(10));
        DeleteItemRequest take = warm.takeRequest(session);
        assertThat(take.conditionExpression()).isEqualTo("attribute_exists(#pk)");
        assertThat(take.expressionAttributeNames()).isEqualTo(Map.of("#pk", "pk"));
        assertThat(take.returnValues()).isEqualTo(ReturnValue.ALL_OLD);
        assertThat(take.key().get("pk").s()).isEqualTo("warm#payments");
        assertThat(take.key().get("sk").s()).isEqualTo("000000000000005#e1");
    }
}
