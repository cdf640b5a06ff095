package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.lb.Nginx;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stateful upstream with two replicas behind its own cookie-sticky load balancer: the broker stores the
 * affinity cookie in the session record and replays it from every instance, so every request of the
 * session reaches the replica that holds it — no lost session, no re-opening.
 */
@Timeout(180)
class StickyUpstreamAffinityTest {

    private static LocalBrokerStack stack;
    private static DemoUpstream first;
    private static DemoUpstream second;
    private static Nginx sticky;
    private static LocalLambda other;
    private static String server;

    @BeforeAll
    static void twoReplicasBehindCookieAffinity() {
        stack = SharedStack.get();
        first = DemoUpstream.start();
        second = DemoUpstream.start();
        sticky = Nginx.cookieSticky(List.of(first.baseUri(), second.baseUri()));
        server = "replicated-" + Long.toHexString(System.nanoTime());
        stack.policyAdmin().registerServer(server, sticky.baseUri().resolve("/mcp"), UpstreamAuth.NONE,
                Duration.ofSeconds(2), Duration.ofSeconds(25));
        stack.policyAdmin().grant(LocalBrokerStack.DEV_AGENT, LocalBrokerStack.DEV_TENANT, new ServerGrant(server, null));
        other = stack.addBroker();
    }

    @AfterAll
    static void stop() {
        if (other != null) {
            other.close();
        }
        if (sticky != null) {
            sticky.close();
        }
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void everyRequestOfTheSessionReachesTheReplicaThatHoldsItWhicheverBrokerInstanceSendsIt() {
        List<URI> brokers = List.of(stack.broker(0).baseUri().resolve("/mcp/" + server), other.baseUri().resolve("/mcp/" + server));
        String session = RawMcp.initialize(stack, brokers.get(0));
        BrokerSession record = new DynamoDbSessionStore(stack.aws().dynamoDb(), LocalBrokerStack.TABLE).find(session).orElseThrow();
        assertThat(record.affinity().cookies()).containsKey(Nginx.STICKY_COOKIE);

        for (int i = 0; i < 20; i++) {
            RawMcp.Reply reply = RawMcp.post(stack, brokers.get(i % 2), session,
                    RawMcp.toolCall(10 + i, "get_balance", "{\"account\":\"bob\"}"));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body().path("result").path("content").get(0).path("text").asText()).contains("bob");
        }

        // One initialize in all: no request landed on the other replica and had to re-open the session there.
        assertThat(first.initializes() + second.initializes()).isEqualTo(1);
        DemoUpstream holder = first.initializes() == 1 ? first : second;
        DemoUpstream idle = holder == first ? second : first;
        assertThat(holder.executions("get_balance")).isEqualTo(20);
        assertThat(idle.mcpRequests()).isZero();
    }
}
