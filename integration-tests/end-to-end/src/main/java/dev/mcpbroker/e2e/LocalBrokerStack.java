package dev.mcpbroker.e2e;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.jwt.TestTokens;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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
    public static final String POLICY_TABLE = "mcp-broker-policy";
    /** The local broker's resource URL: the audience its tokens carry. */
    public static final String RESOURCE = LocalIdentity.DEFAULT_AUDIENCE;
    public static final String ISSUER = LocalIdentity.DEV_ISSUER;
    /** The agent the local run and the tests act as; granted both servers. */
    public static final String DEV_AGENT = "dev-agent";
    public static final String DEV_TENANT = "dev";
    /** The audit fingerprint key, as the SAM template generates it in AWS. */
    public static final String AUDIT_KEY_SECRET = "mcp-broker/audit/fingerprint-key";

    private final Settings settings;
    private final AwsEnvironment aws;
    private final DemoUpstream payments;
    private final ServerEverything everything;
    private final List<LocalLambda> brokers = new ArrayList<>();
    private final Path logDir;
    private final LocalIdentity identity;

    /**
     * How the stack starts.
     *
     * @param brokerInstances how many separate broker processes to start
     * @param withEverything  whether to start {@code @modelcontextprotocol/server-everything} too
     * @param gatewayPort     the first broker's HTTP API port (0: any free one); further brokers take any
     * @param identity        whom the brokers trust for tokens; empty: the development issuer
     * @param brokerOverrides configuration every broker gets on top of {@link #brokerEnvironment()}
     * @param upstreams       more MCP servers to register (no upstream credential) and grant to the dev agent
     */
    public record Settings(AwsEnvironment aws, int brokerInstances, boolean withEverything, Path logDir, int gatewayPort,
                           Optional<LocalIdentity> identity, Map<String, String> brokerOverrides, Map<String, URI> upstreams) {

        /** What the tests use: the shared AWS environment, any ports, the development issuer. */
        public static Settings defaults(int brokerInstances, boolean withEverything, Path logDir) {
            return new Settings(AwsEnvironment.shared(), brokerInstances, withEverything, logDir, 0, Optional.empty(),
                    Map.of(), Map.of());
        }
    }

    private LocalBrokerStack(Settings settings, DemoUpstream payments, ServerEverything everything) {
        this.settings = settings;
        this.aws = settings.aws();
        this.payments = payments;
        this.everything = everything;
        this.logDir = settings.logDir();
        this.identity = settings.identity().orElseGet(() -> LocalIdentity.dev(RESOURCE, logDir));
    }

    /**
     * Starts the stack on the shared AWS environment.
     *
     * @param brokerInstances  how many separate broker processes to start
     * @param withEverything   whether to start {@code @modelcontextprotocol/server-everything} too
     */
    public static LocalBrokerStack start(int brokerInstances, boolean withEverything, Path logDir) {
        return start(Settings.defaults(brokerInstances, withEverything, logDir));
    }

    /** Starts the stack as {@code settings} say; what started is stopped again when a later part fails. */
    public static LocalBrokerStack start(Settings settings) {
        AwsEnvironment aws = settings.aws();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY_TABLE);
        // The two upstreams start side by side: each spends most of its start waiting for its runtime.
        CompletableFuture<ServerEverything> starting = settings.withEverything()
                ? CompletableFuture.supplyAsync(ServerEverything::start, task -> Thread.ofVirtual().start(task))
                : CompletableFuture.completedFuture(null);
        DemoUpstream payments;
        try {
            payments = DemoUpstream.start();
        } catch (RuntimeException e) {
            starting.thenAccept(everything -> {
                if (everything != null) {
                    everything.close();
                }
            });
            throw e;
        }
        ServerEverything everything = null;
        LocalBrokerStack stack = null;
        try {
            everything = starting.join();
            stack = new LocalBrokerStack(settings, payments, everything);
            stack.registerAndGrant();
            for (int i = 0; i < settings.brokerInstances(); i++) {
                stack.addBroker(Map.of(), i == 0 ? settings.gatewayPort() : 0);
            }
        } catch (RuntimeException e) {
            if (stack != null) {
                stack.close();
            } else {
                payments.close();
                if (everything != null) {
                    everything.close();
                }
            }
            throw e;
        }
        return stack;
    }

    /** Starts one more broker instance and returns it. */
    public LocalLambda addBroker() {
        return addBroker(Map.of());
    }

    /** Starts one more broker instance with some configuration changed (e.g. for fault tests). */
    public LocalLambda addBroker(Map<String, String> overrides) {
        return addBroker(overrides, 0);
    }

    /** Starts one more broker instance of another build of the function (a benchmark's baseline, say). */
    public LocalLambda addBroker(Path zip, Map<String, String> overrides) {
        return addBroker(zip, overrides, 0);
    }

    private LocalLambda addBroker(Map<String, String> overrides, int port) {
        return addBroker(functionZip(), overrides, port);
    }

    private LocalLambda addBroker(Path zip, Map<String, String> overrides, int port) {
        Map<String, String> env = new HashMap<>(brokerEnvironment());
        env.putAll(settings.brokerOverrides());
        env.putAll(overrides);
        LocalLambda broker = LocalLambda.start("broker-" + (brokers.size() + 1), zip, LocalLambda.QUARKUS_HANDLER,
                env, logDir, Duration.ofSeconds(30), port);
        brokers.add(broker);
        return broker;
    }

    /**
     * What an operator does with {@code scripts/admin.sh}: register the upstreams and grant the dev agent
     * both. server-everything's {@code get-env} tool would dump its environment, so it is switched off.
     */
    private void registerAndGrant() {
        PolicyAdmin admin = policyAdmin();
        if (aws.secretsManager().listSecrets().secretList().stream().noneMatch(s -> s.name().equals(AUDIT_KEY_SECRET))) {
            byte[] key = new byte[48];
            new java.security.SecureRandom().nextBytes(key);
            aws.secretsManager().createSecret(b -> b.name(AUDIT_KEY_SECRET)
                    .secretString(java.util.Base64.getEncoder().encodeToString(key)));
        }
        Duration connect = Duration.ofSeconds(2);
        Duration request = Duration.ofSeconds(25);
        admin.registerServer(PAYMENTS, payments.mcpEndpoint(), UpstreamAuth.NONE, connect, request);
        admin.grant(DEV_AGENT, DEV_TENANT, new ServerGrant(PAYMENTS, null));
        if (everything != null) {
            admin.registerServer(EVERYTHING, everything.mcpEndpoint(), UpstreamAuth.NONE, connect, request);
            admin.killTool(EVERYTHING, "get-env");
            // every tool (get-env is switched off above), resource and prompt of the reference server
            admin.grant(DEV_AGENT, DEV_TENANT, new ServerGrant(EVERYTHING, null, List.of("*"), List.of("*"), null));
        }
        settings.upstreams().forEach((id, url) -> {
            admin.registerServer(id, url, UpstreamAuth.NONE, connect, request);
            admin.grant(DEV_AGENT, DEV_TENANT, new ServerGrant(id, null));
        });
    }

    public PolicyAdmin policyAdmin() {
        return new PolicyAdmin(aws.dynamoDb(), POLICY_TABLE);
    }

    /** The function's configuration, as the SAM template sets it in AWS. */
    public Map<String, String> brokerEnvironment() {
        Map<String, String> env = new HashMap<>(aws.childEnvironment());
        env.put("BROKER_SESSION_TABLE", TABLE);
        env.put("BROKER_POLICY_TABLE", POLICY_TABLE);
        env.put("BROKER_UPSTREAM_LOCAL_DEVELOPMENT", "true"); // the demo upstreams listen on the loopback
        env.put("BROKER_POLICY_CACHE_TTL", "PT1S");
        env.putAll(identity.brokerEnvironment());
        env.put("BROKER_AUDIT_FINGERPRINT_KEY_SECRET", AUDIT_KEY_SECRET);
        // The MCP Inspector's UI is the one browser origin the local broker admits.
        env.put("BROKER_HTTP_ALLOWED_ORIGINS", "http://localhost:6274,http://127.0.0.1:6274");
        // agents reach a local broker by loopback address, not by the resource URL's name
        env.put("BROKER_HTTP_ALLOWED_HOSTS", "127.0.0.1,localhost");
        // No OTLP collector runs locally (in Lambda the ADOT layer is one) unless one is named: then traces and
        // metrics go there (docs/observability.md). Without one the function still has trace ids (logs, audit
        // events, the traceparent sent upstream) and exports nothing.
        if (System.getenv("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT") == null) {
            env.put("QUARKUS_OTEL_SDK_DISABLED", "true");
        }
        return env;
    }

    /** The token issuer of this stack: tests mint good and bad tokens with it (the development issuer only). */
    public TestTokens tokens() {
        return identity.tokens();
    }

    /** Whom the brokers trust for tokens. */
    public LocalIdentity identity() {
        return identity;
    }

    /** A valid token of the dev agent, for {@code lifetime} (the development issuer only). */
    public String devToken(Duration lifetime) {
        return tokens().forAgent(DEV_AGENT).tenant(DEV_TENANT).actingFor("developer@localhost").expiresIn(lifetime).sign();
    }

    /** {@code Authorization} header of the dev agent, valid for an hour. */
    public Map<String, String> devAuthorization() {
        return Map.of("Authorization", "Bearer " + devToken(Duration.ofHours(1)));
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
