package dev.mcpbroker.e2e;

import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.lambda.LocalLambda;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import dev.mcpbroker.testkit.upstream.ServerEverything;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker as it runs in AWS, on this machine: the local AWS environment with the state table, the
 * upstream MCP servers, and one or more broker function instances, each a separate JVM running the
 * packaged {@code function.zip} behind its own local API gateway. The instances share nothing but
 * DynamoDB.
 */
public final class LocalBrokerStack implements AutoCloseable {

    public static final String PAYMENTS = "payments";
    public static final String EVERYTHING = "everything";
    public static final String TABLE = "mcp-broker-state";

    private final AwsEnvironment aws;
    private final DemoUpstream payments;
    private final ServerEverything everything;
    private final List<LocalLambda> brokers = new ArrayList<>();
    private final Path logDir;

    private LocalBrokerStack(AwsEnvironment aws, DemoUpstream payments, ServerEverything everything, Path logDir) {
        this.aws = aws;
        this.payments = payments;
        this.everything = everything;
        this.logDir = logDir;
    }

    /**
     * Starts the stack.
     *
     * @param brokerInstances  how many separate broker processes to start
     * @param withEverything   whether to start {@code @modelcontextprotocol/server-everything} too
     */
    public static LocalBrokerStack start(int brokerInstances, boolean withEverything, Path logDir) {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        DemoUpstream payments = DemoUpstream.start();
        ServerEverything everything = withEverything ? ServerEverything.start() : null;
        LocalBrokerStack stack = new LocalBrokerStack(aws, payments, everything, logDir);
        try {
            for (int i = 0; i < brokerInstances; i++) {
                stack.addBroker();
            }
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    /** Starts one more broker instance and returns it. */
    public LocalLambda addBroker() {
        LocalLambda broker = LocalLambda.start("broker-" + (brokers.size() + 1), functionZip(), LocalLambda.QUARKUS_HANDLER,
                brokerEnvironment(), logDir, Duration.ofSeconds(30));
        brokers.add(broker);
        return broker;
    }

    /** The function's configuration, as the SAM template sets it in AWS. */
    public Map<String, String> brokerEnvironment() {
        Map<String, String> env = new HashMap<>(aws.childEnvironment());
        env.put("BROKER_SESSION_TABLE", TABLE);
        env.put("BROKER_UPSTREAMS_" + PAYMENTS.toUpperCase() + "_URL", payments.mcpEndpoint().toString());
        if (everything != null) {
            env.put("BROKER_UPSTREAMS_" + EVERYTHING.toUpperCase() + "_URL", everything.mcpEndpoint().toString());
        }
        return env;
    }

    public static Path functionZip() {
        return RepoPaths.repoRoot().resolve("functions/broker/target/function.zip");
    }

    public AwsEnvironment aws() {
        return aws;
    }

    public DemoUpstream payments() {
        return payments;
    }

    public ServerEverything everything() {
        if (everything == null) {
            throw new IllegalStateException("started without server-everything");
        }
        return everything;
    }

    public List<LocalLambda> brokers() {
        return List.copyOf(brokers);
    }

    public LocalLambda broker(int index) {
        return brokers.get(index);
    }

    /** The agent-facing MCP endpoint of {@code server} on broker instance {@code index}. */
    public URI endpoint(int index, String server) {
        return brokers.get(index).baseUri().resolve("/mcp/" + server);
    }

    @Override
    public void close() {
        brokers.forEach(LocalLambda::close);
        if (everything != null) {
            everything.close();
        }
        payments.close();
    }
}
