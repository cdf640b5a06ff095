package dev.mcpbroker.function.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.broker.BrokerRequest;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The AWS round trips each kind of request costs on the critical path, counted by an SDK execution interceptor
 * against DynamoDB and real upstreams, every cache warm and no rate limit configured (a configured one adds its
 * bucket's write). The requests are sequential, so every count is a count of sequential round trips: the budget.
 * <ul>
 *   <li>a read (read-only tool, list, resource read) in a session: the session with its chain head, then intent and
 *       outcome in one transaction after the answer - 2, one of them a transaction;</li>
 *   <li>a state-changing call: the session, the claim with the intent, the completion with the outcome - 3;</li>
 *   <li>a 2026-07-28 read to a 2026-07-28 upstream: no session to read, the record only - 1;</li>
 *   <li>consecutive requests of one session on different instances: no more than on one.</li>
 * </ul>
 */
@Timeout(120)
class RoundTripBudgetTest {

    private static final String STATE = "round-trips-state";
    private static final String POLICY = "round-trips-policy";
    private static final AgentIdentity AGENT = new AgentIdentity("budget-agent", "budget", null);
    private static final String TRANSACTION = "TransactWriteItems";

    /** Operation names of the DynamoDB requests sent, in order. */
    private static final List<String> SENT = new CopyOnWriteArrayList<>();
    private static DemoUpstream payments;
    private static ConformanceUpstream dual;
    private static ConformanceUpstream modern;
    private static McpBroker first;
    private static McpBroker second;
    private static int nextId = 1;

    @BeforeAll
    static void start() {
        AwsEnvironment aws = AwsEnvironment.shared();
        DynamoDbClient dynamoDb = TestClients.dynamoDb(aws, new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                SENT.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        });
        SessionTableSetup.ensureTable(dynamoDb, STATE);
        PolicyTable.ensureTable(dynamoDb, POLICY);
        payments = DemoUpstream.start();
        dual = ConformanceUpstream.start(ConformanceUpstream.Mode.DUAL_ERA);
        modern = ConformanceUpstream.start(ConformanceUpstream.Mode.MODERN_ONLY);
        ToolPolicy readOnlyFixture = new ToolPolicy(Set.of("test_simple_text"), Set.of(), Optional.empty());
        UpstreamServer[] servers = {
                new UpstreamServer("payments", payments.mcpEndpoint(), Duration.ofSeconds(2), Duration.ofSeconds(20),
                        UpstreamAuth.NONE, ServerControls.NONE),
                new UpstreamServer("dual", dual.mcpEndpoint(), Duration.ofSeconds(2), Duration.ofSeconds(20),
                        UpstreamAuth.NONE, ServerControls.NONE, readOnlyFixture, SessionLimits.DEFAULT),
                new UpstreamServer("modern", modern.mcpEndpoint(), Duration.ofSeconds(2), Duration.ofSeconds(20),
                        UpstreamAuth.NONE, ServerControls.NONE, readOnlyFixture, SessionLimits.DEFAULT)};
        PolicyAdmin admin = new PolicyAdmin(dynamoDb, POLICY);
        admin.grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("payments", null));
        admin.grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("dual", null, List.of("*"), List.of("*"), null));
        admin.grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("modern", null));
        first = new InProcessBroker(dynamoDb, STATE, POLICY).servers(servers).build();
        second = new InProcessBroker(dynamoDb, STATE, POLICY).servers(servers).build();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable upstream : new AutoCloseable[] {payments, dual, modern}) {
            if (upstream != null) {
                try {
                    upstream.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void aReadOnlyCallInASessionTakesTwoRoundTripsOneOfThemATransaction() {
        BrokerCalls session = new BrokerCalls(first, AGENT, "payments");
        String id = session.initialize();
        session.call(id, "get_balance", "{\"account\":\"alice\"}", null); // learns the tool's annotations

        List<String> trips = sent(() -> assertThat(BrokerCalls.text(session.call(id, "get_balance",
                "{\"account\":\"alice\"}", null))).contains("alice"));

        assertThat(trips).hasSize(2).containsOnlyOnce(TRANSACTION);
    }

    @Test
    void aListAndAResourceReadInASessionTakeTwoRoundTripsEachOneOfThemATransaction() {
        BrokerCalls session = new BrokerCalls(first, AGENT, "dual");
        String id = session.initialize();
        session.toolsList(id);

        List<String> list = sent(() -> assertThat(session.toolsList(id).path("result").path("tools").isArray()).isTrue());
        List<String> read = sent(() -> assertThat(session.post(id, null, """
                {"jsonrpc":"2.0","id":%d,"method":"resources/read","params":{"uri":"test://static-text"}}"""
                .formatted(nextId++)).path("result").path("contents").isArray()).isTrue());

        assertThat(list).hasSize(2).containsOnlyOnce(TRANSACTION);
        assertThat(read).hasSize(2).containsOnlyOnce(TRANSACTION);
    }

    @Test
    void aStateChangingCallTakesThreeRoundTripsIdempotencyAndAuditIncluded() {
        BrokerCalls session = new BrokerCalls(first, AGENT, "payments");
        String id = session.initialize();
        session.call(id, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}", "warm-" + UUID.randomUUID());

        List<String> trips = sent(() -> assertThat(BrokerCalls.text(session.call(id, "transfer",
                "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}", "budget-" + UUID.randomUUID()))).isNotEmpty());

        assertThat(trips).hasSize(3);
    }

    @Test
    void aStatelessReadToAStatelessUpstreamTakesOneRoundTrip() {
        statelessCall(first, "modern", "test_simple_text"); // learns the upstream's generation

        List<String> trips = sent(() -> assertThat(BrokerCalls.text(statelessCall(first, "modern", "test_simple_text")))
                .isNotEmpty());

        assertThat(trips).containsExactly(TRANSACTION);
    }

    @Test
    void requestsOfOneSessionAlternatingBetweenInstancesTakeNoMoreRoundTripsThanOnOne() {
        BrokerCalls onFirst = new BrokerCalls(first, AGENT, "payments");
        BrokerCalls onSecond = new BrokerCalls(second, AGENT, "payments");
        String id = onFirst.initialize();
        onFirst.call(id, "get_balance", "{\"account\":\"alice\"}", null);
        onSecond.call(id, "get_balance", "{\"account\":\"alice\"}", null); // the second instance learns the tool

        for (int i = 0; i < 4; i++) {
            BrokerCalls instance = i % 2 == 0 ? onFirst : onSecond;
            List<String> trips = sent(() -> instance.call(id, "get_balance", "{\"account\":\"alice\"}", null));
            assertThat(trips).as("request %s", i).hasSize(2).containsOnlyOnce(TRANSACTION);
        }
        List<String> transfer = sent(() -> onFirst.call(id, "transfer", "{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}",
                "alternating-" + UUID.randomUUID()));
        assertThat(transfer).hasSize(3);
    }

    private static List<String> sent(Runnable request) {
        SENT.clear();
        request.run();
        return List.copyOf(SENT);
    }

    private static ObjectNode statelessCall(McpBroker broker, String server, String tool) {
        String body = """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":{},
                 "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"""
                .formatted(nextId++, tool);
        return broker.post(new BrokerRequest(AGENT, server, null, "2026-07-28", null, null,
                new BrokerRequest.Transport("tools/call", tool, false), body.getBytes(StandardCharsets.UTF_8))).body().orElseThrow();
    }
}
