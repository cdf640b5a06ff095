package dev.mcpbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.testkit.lambda.LocalLambda;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions live in DynamoDB only: a session opened through one broker process continues through
 * another, separate process, and survives the process that opened it.
 */
class StatelessBrokerTest {

    private static LocalBrokerStack stack;
    private static LocalLambda opener;
    private static LocalLambda other;

    @BeforeAll
    static void twoSeparateBrokerProcesses() {
        stack = SharedStack.get();
        opener = stack.addBroker();
        other = stack.addBroker();
        assertThat(opener.functionPid()).isNotEqualTo(other.functionPid());
    }

    @AfterAll
    static void stopOwnInstances() {
        opener.close();
        other.close();
    }

    private static URI payments(LocalLambda broker) {
        return broker.baseUri().resolve("/mcp/" + LocalBrokerStack.PAYMENTS);
    }

    @Test
    void sessionOpenedOnOneProcessContinuesOnAnotherAndOutlivesTheFirst() {
        String session = RawMcp.initialize(stack, payments(opener));

        RawMcp.Reply onOther = RawMcp.post(stack, payments(other), session, RawMcp.toolCall(2, "get_balance", "{\"account\":\"bob\"}"));
        assertThat(onOther.status()).isEqualTo(200);
        assertThat(onOther.body().path("result").path("content").get(0).path("text").asText()).contains("bob");

        opener.killFunction();
        assertThat(opener.functionAlive()).isFalse();

        RawMcp.Reply afterKill = RawMcp.post(stack, payments(other), session, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
        assertThat(afterKill.status()).isEqualTo(200);
        assertThat(afterKill.body().path("result").path("tools").findValuesAsText("name")).contains("transfer");

        // A cold instance that never saw the session serves it too.
        LocalLambda cold = stack.addBroker();
        try {
            RawMcp.Reply onCold = RawMcp.post(stack, payments(cold), session, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");
            assertThat(onCold.status()).isEqualTo(200);
            assertThat(RawMcp.delete(stack, payments(cold), session).status()).isEqualTo(204);
        } finally {
            cold.close();
        }
        assertThat(RawMcp.post(stack, payments(other), session, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}").status())
                .isEqualTo(404);
    }
}
