package dev.mcpbroker.function.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.BrokerCalls;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.sessiontable.SessionTable;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Does the broker's added latency stay flat as the state table grows? tools/call p50/p99 through the
 * broker path (real DynamoDB adapters, real upstream) with 10 session records in the table vs with
 * 100,000. Every request reads its session by key, so the table's size should not show; this measures it.
 * Run with {@code scripts/bench.sh session-scale [-Dbench.records=100000] [-Dbench.calls=1000]}.
 */
public final class SessionScaleBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AgentIdentity AGENT = new AgentIdentity("scale-agent", "scale", null);
    private static final int ROUND = 50;

    public static void main(String[] args) throws Exception {
        int records = Integer.getInteger("bench.records", 100_000);
        int calls = Integer.getInteger("bench.calls", 1000);
        int warmup = Integer.getInteger("bench.warmup", 200);
        AwsEnvironment aws = AwsEnvironment.shared();
        DynamoDbClient dynamoDb = aws.dynamoDb();
        String policy = "bench-scale-policy";
        PolicyTable.ensureTable(dynamoDb, policy);
        Map<String, Object> results = new LinkedHashMap<>();
        try (DemoUpstream upstream = DemoUpstream.start()) {
            UpstreamServer server = new UpstreamServer("payments", upstream.mcpEndpoint(), Duration.ofSeconds(2),
                    Duration.ofSeconds(20), UpstreamAuth.NONE, ServerControls.NONE);
            new PolicyAdmin(dynamoDb, policy).grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant("payments", null));
            results.put("measuredCalls", calls);
            List<Integer> sizes = List.of(10, records);
            List<String> tables = new ArrayList<>();
            List<BrokerCalls> agents = new ArrayList<>();
            List<String> sessions = new ArrayList<>();
            for (int size : sizes) {
                String table = "bench-scale-" + size + "-" + UUID.randomUUID().toString().substring(0, 6);
                SessionTableSetup.ensureTable(dynamoDb, table);
                long filled = System.nanoTime();
                fill(dynamoDb, table, size);
                results.put(size + " records fillSeconds", (System.nanoTime() - filled) / 1e9);
                BrokerCalls agent = new BrokerCalls(new InProcessBroker(dynamoDb, table, policy).servers(server).build(),
                        AGENT, "payments");
                tables.add(table);
                agents.add(agent);
                sessions.add(agent.initialize());
            }
            // The two tables take turns in rounds, so load drifting over the run affects both alike.
            long[][] micros = new long[sizes.size()][calls];
            for (int i = -warmup; i < calls; i += ROUND) {
                for (int t = 0; t < sizes.size(); t++) {
                    for (int j = i; j < Math.min(i + ROUND, calls); j++) {
                        long elapsed = timedCall(agents.get(t), sessions.get(t));
                        if (j >= 0) {
                            micros[t][j] = elapsed / 1_000;
                        }
                    }
                }
            }
            for (int t = 0; t < sizes.size(); t++) {
                results.put(sizes.get(t) + " records", percentiles(micros[t]));
                String table = tables.get(t);
                dynamoDb.deleteTable(b -> b.tableName(table));
            }
        }
        String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/session-scale.json"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.out.println(json);
        System.exit(0);
    }

    /** Session records of other agents, as many live sessions would leave them. */
    private static void fill(DynamoDbClient dynamoDb, String table, int count) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> batches = new ArrayList<>();
            long expires = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
            for (int start = 0; start < count; start += 25) {
                int from = start;
                int to = Math.min(count, start + 25);
                batches.add(writers.submit(() -> {
                    List<WriteRequest> puts = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        Map<String, AttributeValue> item = new LinkedHashMap<>();
                        item.put(SessionTable.PARTITION_KEY, AttributeValue.fromS("session#filler-" + i + "-" + UUID.randomUUID()));
                        item.put(SessionTable.SORT_KEY, AttributeValue.fromS("session"));
                        item.put("agentId", AttributeValue.fromS("agent-" + (i % 500)));
                        item.put("serverId", AttributeValue.fromS("payments"));
                        item.put("state", AttributeValue.fromS("ACTIVE"));
                        item.put("initializeParams", AttributeValue.fromS("{\"capabilities\":{},\"clientInfo\":{\"name\":\"filler\",\"version\":\"1\"}}"));
                        item.put(SessionTable.TTL_ATTRIBUTE, AttributeValue.fromN(Long.toString(expires)));
                        puts.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                    }
                    Map<String, List<WriteRequest>> pending = Map.of(table, puts);
                    while (!pending.isEmpty()) {
                        Map<String, List<WriteRequest>> batch = pending;
                        BatchWriteItemResponse response = dynamoDb.batchWriteItem(b -> b.requestItems(batch));
                        pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                    }
                    return null;
                }));
            }
            for (Future<?> batch : batches) {
                batch.get();
            }
        } finally {
            writers.shutdownNow();
        }
    }

    private static long timedCall(BrokerCalls agent, String session) {
        long started = System.nanoTime();
        var response = agent.call(session, "get_balance", "{\"account\":\"alice\"}", null);
        long elapsed = System.nanoTime() - started;
        if (!response.has("result")) {
            throw new IllegalStateException("tools/call failed during the benchmark: " + response);
        }
        return elapsed;
    }

    private static Map<String, Object> percentiles(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("p50Ms", sorted[(int) Math.ceil(0.50 * sorted.length) - 1] / 1000.0);
        stats.put("p99Ms", sorted[(int) Math.ceil(0.99 * sorted.length) - 1] / 1000.0);
        return stats;
    }
}
