package dev.mcpbroker.function.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.broker.BrokerRequest;
import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.BrokerCalls;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import dev.mcpbroker.testkit.upstream.ConformanceUpstream;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What a stateless (2026-07-28) call costs in AWS round trips, against DynamoDB and real upstreams, with every cache
 * warm: to a stateless upstream it needs no session record at all (its intent and outcome, in one write); to a legacy
 * upstream it reads the held session as a session call reads its own. Deterministic counts, pinned.
 */
@Timeout(120)
class StatelessRoundTripsTest {

    private static final String STATE = "stateless-trips-state";
    private static final String POLICY = "stateless-trips-policy";
    private static final AgentIdentity AGENT = new AgentIdentity("trips-agent", "trips", null);
    private static final String V2026 = "2026-07-28";

    private static final TestClients.RequestCounter COUNTER = new TestClients.RequestCounter();
    private static DemoUpstream payments;
    private static ConformanceUpstream modern;
    private static McpBroker broker;
    private static int nextId = 1;

    @BeforeAll
    static void start() {
        AwsEnvironment aws = AwsEnvironment.shared();
        DynamoDbClient dynamoDb = TestClients.dynamoDb(aws, COUNTER);
        SessionTableSetup.ensureTable(dynamoDb, STATE);
        PolicyTable.ensureTable(dynamoDb, POLICY);
        payments = DemoUpstream.start();
        modern = ConformanceUpstream.start(ConformanceUpstream.Mode.MODERN_ONLY);
        // the fixture's text tool reads only; declared so, it needs no idempotency key
        ToolPolicy readOnlyFixture = new ToolPolicy(Set.of("test_simple_text"), Set.of(), Optional.empty());
        UpstreamServer paymentsServer = new UpstreamServer("payments", payments.mcpEndpoint(), Duration.ofSeconds(2),
                Duration.ofSeconds(20), UpstreamAuth.NONE, ServerControls.NONE);
        UpstreamServer modernServer = new UpstreamServer("modern", modern.mcpEndpoint(), Duration.ofSeconds(2),
                Duration.ofSeconds(20), UpstreamAuth.NONE, ServerControls.NONE, readOnlyFixture, SessionLimits.DEFAULT);
        PolicyAdmin admin = new PolicyAdmin(dynamoDb, POLICY);
        admin.grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("payments", null));
        admin.grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("modern", null));
        broker = new InProcessBroker(dynamoDb, STATE, POLICY).servers(paymentsServer, modernServer).build();
    }

    @AfterAll
    static void stop() {
        if (payments != null) {
            payments.close();
        }
        if (modern != null) {
            modern.close();
        }
    }

    @Test
    void aStatelessCallToAStatelessUpstreamTakesItsAuditRecordOnly() {
        statelessCall("modern", "test_simple_text"); // learns the upstream's generation, warms the policy cache

        long trips = counted(() -> assertThat(text(statelessCall("modern", "test_simple_text"))).isNotEmpty());

        assertThat(trips).isEqualTo(1);
    }

    @Test
    void aStatelessCallToALegacyUpstreamReadsItsHeldSessionAsASessionCallReadsItsOwn() {
        statelessCall("payments", "get_balance"); // opens the held session
        BrokerCalls session = new BrokerCalls(broker, AGENT, "payments");
        String id = session.initialize();
        session.call(id, "get_balance", "{\"account\":\"alice\"}", null);

        long stateless = counted(() -> assertThat(text(statelessCall("payments", "get_balance"))).contains("alice"));
        long legacy = counted(() -> session.call(id, "get_balance", "{\"account\":\"alice\"}", null));

        assertThat(stateless).isEqualTo(legacy).isEqualTo(2);
    }

    private static long counted(Runnable call) {
        COUNTER.reset();
        call.run();
        return COUNTER.count();
    }

    private static ObjectNode statelessCall(String server, String tool) {
        String body = """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":{"account":"alice"},
                 "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"""
                .formatted(nextId++, tool);
        BrokerResponse response = broker.post(new BrokerRequest(AGENT, server, null, V2026, null, null,
                new BrokerRequest.Transport("tools/call", tool, false), body.getBytes(StandardCharsets.UTF_8)));
        return response.body().orElseThrow();
    }

    private static String text(ObjectNode response) {
        return response.path("result").path("content").path(0).path("text").asText();
    }
}
