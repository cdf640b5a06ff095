package dev.mcpbroker.function;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static dev.mcpbroker.function.BrokerTestResources.AGENT_B;
import static dev.mcpbroker.function.BrokerTestResources.PAYMENTS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.audit.AuditChainReport;
import dev.mcpbroker.core.audit.AuditChainVerifier;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the broker writes to its audit outbox, read back from DynamoDB. */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class AuditRecordingTest {

    private static RequestSpecification as(String agent, String session) {
        RequestSpecification spec = given().contentType("application/json").accept("application/json, text/event-stream")
                .header("Authorization", "Bearer " + BrokerTestResources.token(agent));
        return session == null ? spec : spec.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    }

    private static String open(String agent) {
        return as(agent, null).body("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"audit-test","version":"1.0"}}}""")
                .post("/mcp/" + PAYMENTS).then().statusCode(200).extract().header("Mcp-Session-Id");
    }

    private static List<AuditEvent> recorded(String session) {
        return new DynamoDbAuditOutbox(AwsEnvironment.shared().dynamoDb(), BrokerTestResources.STATE_TABLE)
                .undelivered(session, 1000);
    }

    @Test
    void everyUpstreamContactIsBracketedByAnIntentAndAnOutcomeInAnIntactChain() {
        String session = open(AGENT_A);
        as(AGENT_A, session).header("Idempotency-Key", "audit-" + System.nanoTime()).body("""
                {"jsonrpc":"2.0","id":"t-1","method":"tools/call","params":{"name":"transfer",
                 "arguments":{"from":"alice","to":"bob","amountCents":4242,"memo":"quarterly-rent-4242"}}}""")
                .post("/mcp/" + PAYMENTS).then().statusCode(200);

        List<AuditEvent> events = recorded(session);
        assertThat(events).extracting(AuditEvent::sessionSeq).startsWith(1L, 2L);
        assertThat(events.get(0).method()).isEqualTo("initialize");
        List<AuditEvent> transfer = events.stream().filter(e -> "transfer".equals(e.tool())).toList();
        assertThat(transfer).extracting(AuditEvent::kind).containsExactly(AuditEvent.Kind.INTENT, AuditEvent.Kind.OUTCOME);
        AuditEvent intent = transfer.get(0);
        AuditEvent outcome = transfer.get(1);
        assertThat(intent.agentId()).isEqualTo(AGENT_A);
        assertThat(intent.tenantId()).isEqualTo(BrokerTestResources.TENANT);
        assertThat(intent.onBehalfOf()).isEqualTo("user@example.com");
        assertThat(intent.serverId()).isEqualTo(PAYMENTS);
        assertThat(intent.correlationId()).isEqualTo("t-1");
        assertThat(intent.idempotencyKey()).startsWith("audit-");
        assertThat(intent.argumentFingerprint()).matches("[0-9a-f]{64}");
        assertThat(outcome.outcomeClass()).isEqualTo(AuditEvent.OutcomeClass.OK);
        assertThat(outcome.upstreamLatencyMillis()).isNotNull();
        // Arguments are recorded only as a keyed fingerprint (hex digests may hold "4242" by chance; a value may not).
        events.forEach(e -> assertThat(new String(new AuditEventCodec().encode(e), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("quarterly-rent-4242").doesNotContain("amountCents").doesNotContain(":4242"));

        AuditChainReport report = AuditChainVerifier.verify(events);
        assertThat(report.clean()).as(report.render()).isTrue();
    }

    @Test
    void refusalIsRecordedAsADeniedDecisionWithItsReason() {
        String session = open(AGENT_B);
        as(AGENT_B, session).body("""
                {"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"transfer","arguments":{}}}""")
                .post("/mcp/" + PAYMENTS).then().statusCode(200);
        assertThat(recorded(session)).anySatisfy(event -> {
            assertThat(event.kind()).isEqualTo(AuditEvent.Kind.DECISION);
            assertThat(event.decision()).isEqualTo(AuditEvent.Decision.DENIED);
            assertThat(event.reason()).isEqualTo("tool_not_allowed");
            assertThat(event.tool()).isEqualTo("transfer");
        });
    }

    @Test
    void endingASessionIsRecordedInItsChain() {
        String session = open(AGENT_A);
        as(AGENT_A, session).delete("/mcp/" + PAYMENTS).then().statusCode(204);
        List<AuditEvent> events = recorded(session);
        assertThat(events.get(events.size() - 1)).satisfies(last -> {
            assertThat(last.method()).isEqualTo("DELETE");
            assertThat(last.reason()).isEqualTo("session_ended");
            assertThat(last.decision()).isEqualTo(AuditEvent.Decision.ALLOWED);
        });
        assertThat(AuditChainVerifier.verify(events).clean()).isTrue();
    }
}
