package dev.mcpbroker.function.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.audit.ArgumentFingerprinter;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditOutbox;
import dev.mcpbroker.core.audit.AuditTrail;
import dev.mcpbroker.core.broker.BrokerMetrics;
import dev.mcpbroker.core.broker.BrokerRequest;
import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.idempotency.IdempotencyGuard;
import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import dev.mcpbroker.sessiontable.idempotency.DynamoDbIdempotencyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code scripts/bench.sh critical-path}: the broker's own request path ({@link McpBroker} with its real
 * DynamoDB adapters and a real upstream, in one process, no HTTP in front) for a state-changing
 * {@code tools/call}, with and without the audit trail and idempotency, and the sequential AWS round trips
 * each makes (counted by an SDK execution interceptor). Authentication is measured separately
 * ({@code scripts/bench.sh governance}).
 */
public final class CriticalPathBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AgentIdentity AGENT = new AgentIdentity("bench-agent", "bench", "user@bench");

    private CriticalPathBenchmark() {
    }


    /** The baseline's outbox: records nothing, so the difference is what the audit trail costs. */
    private static final class DiscardingOutbox implements AuditOutbox {
        @Override
        public AuditEvent append(AuditEvent unchained) {
            return unchained;
        }

        @Override
        public List<AuditEvent> undelivered(String chainKey, int limit) {
            return List.of();
        }

        @Override
        public void markDelivered(AuditEvent event) {
        }
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.getInteger("bench.warmup", 200);
        int calls = Integer.getInteger("bench.calls", 1000);
        AwsEnvironment aws = AwsEnvironment.shared();
        TestClients.RequestCounter counter = new TestClients.RequestCounter();
        DynamoDbClient dynamoDb = TestClients.dynamoDb(aws, counter);
        String state = "bench-critical-state";
        String policy = "bench-critical-policy";
        SessionTableSetup.ensureTable(dynamoDb, state);
        PolicyTable.ensureTable(dynamoDb, policy);
        Map<String, Object> results = new LinkedHashMap<>();
        try (DemoUpstream upstream = DemoUpstream.start()) {
            UpstreamServer server = new UpstreamServer("payments", upstream.mcpEndpoint(), Duration.ofSeconds(2),
                    Duration.ofSeconds(20), UpstreamAuth.NONE, dev.mcpbroker.core.policy.ServerControls.NONE);
            new PolicyAdmin(dynamoDb, policy).grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("payments", null));

            McpBroker full = broker(dynamoDb, state, policy, server, new DynamoDbAuditOutbox(dynamoDb, state), true);
            McpBroker baseline = broker(dynamoDb, state, policy, server, new DiscardingOutbox(), false);
            results.put("warmupCalls", warmup);
            results.put("measuredCalls", calls);
            results.put("auditAndIdempotency", measure(full, counter, true, warmup, calls));
            results.put("neither", measure(baseline, counter, false, warmup, calls));
        }
        String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/critical-path.json"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.out.println(json);
        System.exit(0);
    }

    private static McpBroker broker(DynamoDbClient dynamoDb, String state, String policy, UpstreamServer server,
                                    AuditOutbox outbox, boolean idempotency) {
        return new InProcessBroker(dynamoDb, state, policy).servers(server).outbox(outbox)
                .requireIdempotencyKey(idempotency).build();
    }

    private static Map<String, Object> measure(McpBroker broker, TestClients.RequestCounter counter, boolean withKey, int warmup, int calls) {
        BrokerResponse opened = broker.post(new BrokerRequest(AGENT, "payments", null, null, null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""".getBytes(StandardCharsets.UTF_8)));
        String session = opened.headers().get("Mcp-Session-Id");
        broker.post(new BrokerRequest(AGENT, "payments", session, "2025-11-25", null,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}".getBytes(StandardCharsets.UTF_8)));
        long[] micros = new long[calls];
        long awsCalls = 0;
        for (int i = -warmup; i < calls; i++) {
            byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + (i + warmup + 10) + ",\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                    + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":1}}}").getBytes(StandardCharsets.UTF_8);
            String key = withKey ? "bench-" + UUID.randomUUID() : null;
            long before = counter.count();
            long t0 = System.nanoTime();
            BrokerResponse response = broker.post(new BrokerRequest(AGENT, "payments", session, "2025-11-25", key, body));
            long elapsed = System.nanoTime() - t0;
            if (response.status() != 200 || response.body().orElseThrow().has("error")) {
                throw new IllegalStateException("tools/call failed during the benchmark: " + response.body().orElse(null));
            }
            if (i >= 0) {
                micros[i] = elapsed / 1_000;
                awsCalls += counter.count() - before;
            }
        }
        Arrays.sort(micros);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("p50Ms", micros[(int) Math.ceil(0.50 * calls) - 1] / 1000.0);
        stats.put("p99Ms", micros[(int) Math.ceil(0.99 * calls) - 1] / 1000.0);
        stats.put("awsCallsPerCall", (double) awsCalls / calls);
        return stats;
    }
}
