package dev.mcpbroker.function;

import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.jwt.JwksServer;
import dev.mcpbroker.testkit.jwt.TestTokens;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * Real components for the function's tests: DynamoDB and Secrets Manager (emulators or LocalStack), two
 * demo payments servers as separate processes (one open, one that demands a credential), the allowlist
 * and registry as an administrator would set them, and a token issuer. Nothing is mocked.
 */
public class BrokerTestResources implements QuarkusTestResourceLifecycleManager {

    public static final String STATE_TABLE = "broker-function-state";
    static final String POLICY_TABLE = "broker-function-policy";
    static final String ISSUER = "https://idp.broker-tests.example";
    static final String RESOURCE = "https://broker.example.com";

    /** Open demo server; every test agent may use it, agent-b only some tools. */
    static final String PAYMENTS = "payments";
    /** Distinct tool names per server an instance reports as metric dimensions in these tests. */
    static final int METRIC_TOOLS_PER_SERVER = 40;
    /** Demo server that demands {@link #LEDGER_SECRET} as a bearer token; only agent-a is granted it. */
    static final String LEDGER = "ledger";
    /** Registered, but nothing listens there. */
    static final String DOWN = "down";

    static final String TENANT = "t1";
    /** May use every server and tool. */
    static final String AGENT_A = "agent-a";
    /** Same tenant; payments with read tools only. */
    static final String AGENT_B = "agent-b";
    /** Payments, with a rate limit of two requests and (practically) no refill. */
    static final String AGENT_LIMITED = "agent-limited";
    /** The only agent of tenant {@link #SMALL_TENANT}, whose tenant-wide limit is two requests. */
    static final String AGENT_SMALL = "agent-small";
    static final String SMALL_TENANT = "t-small";
    /** Everything the function logs during the tests, scanned for secrets. */
    static final java.nio.file.Path LOG_FILE = java.nio.file.Path.of("target", "broker-tests", "function.log").toAbsolutePath();

    static final String LEDGER_SECRET = "upstream-ledger-secret-4f9a1c";
    static final String LEDGER_SECRET_ID = "mcp-broker/upstream/ledger";
    static final String ALLOWED_ORIGIN = "https://console.example.com";
    static final String AUDIT_KEY_SECRET = "mcp-broker/audit/fingerprint-key-tests";
    static final String AUDIT_KEY = "audit-fingerprint-key-for-tests-0123456789abcdef";

    static final TestTokens TOKENS = TestTokens.shared("broker-function-endpoint", ISSUER, RESOURCE);
    /** The issuer's key set, as an identity provider publishes it. */
    static final JwksServer JWKS = JwksServer.shared("broker-function-endpoint", TOKENS::jwksJson);

    private static DemoUpstream payments;
    private static DemoUpstream ledger;

    static DemoUpstream payments() {
        return payments;
    }

    static DemoUpstream ledger() {
        return ledger;
    }

    static PolicyAdmin admin() {
        return new PolicyAdmin(AwsEnvironment.shared().dynamoDb(), POLICY_TABLE);
    }

    /** A valid token of {@code agent} for this broker. */
    public static String token(String agent) {
        String tenant = AGENT_SMALL.equals(agent) ? SMALL_TENANT : TENANT;
        return TOKENS.forAgent(agent).tenant(tenant).actingFor("user@example.com").sign();
    }

    @Override
    public Map<String, String> start() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE_TABLE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY_TABLE);
        payments = DemoUpstream.start();
        ledger = DemoUpstream.start();
        ledger.requireCredential("Authorization", "Bearer " + LEDGER_SECRET);
        aws.secretsManager().createSecret(b -> b.name(LEDGER_SECRET_ID).secretString(LEDGER_SECRET));
        aws.secretsManager().createSecret(b -> b.name(AUDIT_KEY_SECRET).secretString(AUDIT_KEY));

        PolicyAdmin admin = admin();
        Duration connect = Duration.ofSeconds(2);
        Duration request = Duration.ofSeconds(10);
        admin.registerServer(PAYMENTS, payments.mcpEndpoint(), UpstreamAuth.NONE, connect, request);
        admin.registerServer(LEDGER, ledger.mcpEndpoint(),
                new UpstreamAuth(UpstreamAuth.Scheme.BEARER, LEDGER_SECRET_ID, null), connect, request);
        // Nothing listens on port 9 of the loopback: connections are refused at once.
        admin.registerServer(DOWN, URI.create("http://127.0.0.1:9/mcp"), UpstreamAuth.NONE, connect, request);
        for (String server : List.of(PAYMENTS, LEDGER, DOWN)) {
            admin.grant(AGENT_A, TENANT, new ServerGrant(server, null));
        }
        admin.grant(AGENT_B, TENANT, new ServerGrant(PAYMENTS, List.of("get_balance", "list_*")));
        admin.grant(AGENT_LIMITED, TENANT, new ServerGrant(PAYMENTS, null));
        admin.setAgentRate(AGENT_LIMITED, new RateLimit(0.001, 2));
        admin.grant(AGENT_SMALL, SMALL_TENANT, new ServerGrant(PAYMENTS, null));
        admin.setTenantRate(SMALL_TENANT, new RateLimit(0.001, 2));

        AwsCredentials credentials = aws.credentials().resolveCredentials();
        // The SDK's default chain reads these system properties, as it reads the environment in Lambda.
        System.setProperty("aws.accessKeyId", credentials.accessKeyId());
        System.setProperty("aws.secretAccessKey", credentials.secretAccessKey());

        Map<String, String> config = new HashMap<>();
        config.put("broker.aws.region", aws.region().id());
        config.put("broker.aws.dynamodb.endpoint", aws.dynamoDbEndpoint().toString());
        config.put("broker.aws.secretsmanager.endpoint", aws.secretsManagerEndpoint().toString());
        config.put("broker.session.table", STATE_TABLE);
        config.put("broker.policy.table", POLICY_TABLE);
        config.put("broker.upstream.local-development", "true"); // the demo upstreams listen on the loopback
        config.put("broker.audit.fingerprint-key-secret", AUDIT_KEY_SECRET);
        config.put("broker.http.allowed-origins", ALLOWED_ORIGIN);
        config.put("broker.http.allowed-hosts", "localhost,127.0.0.1");
        // Tests change grants and kill switches and expect the next request to see them.
        config.put("broker.policy.cache-ttl", "PT0S");
        config.put("broker.limits.max-body-bytes", "65536");
        config.put("broker.telemetry.metric-tools-per-server", Integer.toString(METRIC_TOOLS_PER_SERVER));
        // Quarkus's mock API Gateway refuses header blocks over 8 KiB itself (431); the token limit is set
        // below that here so the function's own check is what answers, as it is behind API Gateway (10 KiB).
        config.put("broker.auth.max-token-bytes", "4096");
        config.put("broker.auth.resource", RESOURCE);
        config.put("broker.auth.issuer", ISSUER);
        config.put("broker.auth.jwks-url", JWKS.uri().toString());
        config.put("quarkus.log.file.enabled", "true");
        config.put("quarkus.log.file.path", LOG_FILE.toString());
        // JSON lines, as the function logs in Lambda, so tests read the fields CloudWatch Logs Insights queries
        config.put("quarkus.log.file.json.enabled", "true");
        config.put("quarkus.log.category.\"dev.mcpbroker\".level", "DEBUG");
        return config;
    }

    @Override
    public void stop() {
        if (payments != null) {
            payments.close();
        }
        if (ledger != null) {
            ledger.close();
        }
    }
}
