package dev.mcpbroker.sessiontable;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.contract.SessionStoreContract;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.session.SessionTimeouts;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The adapter against a real DynamoDB (DynamoDB Local or LocalStack, chosen at run time): the port's contract, and
 * what only this adapter does.
 */
class DynamoDbSessionStoreTest extends SessionStoreContract {

    private static final String TABLE = "session-store-test";
    private static AwsEnvironment aws;

    @BeforeAll
    static void table() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
    }

    @Override
    protected SessionStore newStore() {
        return new DynamoDbSessionStore(aws.dynamoDb(), TABLE);
    }

    @Test
    void unreachableTableSurfacesAsStoreUnavailable() {
        DynamoDbClient nowhere = TestClients.unreachableDynamoDb(aws);
        DynamoDbSessionStore unreachable = new DynamoDbSessionStore(nowhere, TABLE);
        BrokerSession session = BrokerSession.open("s-unreachable", new SessionOwner("agent-a", "tenant-1", null), "payments",
                null, "2025-11-25", "{}", UpstreamAffinity.NONE, T0,
                new SessionTimeouts(Duration.ofHours(1), Duration.ofMinutes(10), Duration.ZERO), BrokerSession.NO_SLOT, null);
        assertThatThrownBy(() -> unreachable.find("x")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> unreachable.create(session)).isInstanceOf(StoreUnavailableException.class);
    }
}
