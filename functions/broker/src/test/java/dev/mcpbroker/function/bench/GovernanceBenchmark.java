package dev.mcpbroker.function.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.policy.TtlCache;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.auth.FixedAuthConfig;
import dev.mcpbroker.function.auth.JwtAgentAuthenticator;
import dev.mcpbroker.function.secrets.SecretsManagerCredentialSource;
import dev.mcpbroker.sessiontable.DynamoDbRateLimiter;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbUpstreamRegistry;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.aws.TestClients;
import dev.mcpbroker.testkit.jwt.TestTokens;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * {@code scripts/bench.sh governance}: what authentication, authorisation and secret resolution add to one
 * {@code tools/call} once caches are warm, and how many AWS calls they make, with the function's own
 * adapters against the local AWS environment. The rate limiter, which must write on every request, is
 * measured on its own. Every AWS request is counted by an SDK execution interceptor.
 */
public final class GovernanceBenchmark {

    private static final String ISSUER = "https://issuer.bench.example";
    private static final String RESOURCE = "https://broker.bench.example";

    private GovernanceBenchmark() {
    }


    public static void main(String[] args) throws Exception {
        int warmup = Integer.getInteger("bench.warmup", 2_000);
        int iterations = Integer.getInteger("bench.calls", 20_000);
        AwsEnvironment aws = AwsEnvironment.shared();
        TestClients.RequestCounter counter = new TestClients.RequestCounter();
        DynamoDbClient dynamoDb = TestClients.dynamoDb(aws, counter);
        SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(aws.secretsManagerEndpoint())
                .region(aws.region()).credentialsProvider(aws.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.addExecutionInterceptor(counter)).build();

        String state = "bench-state";
        String policyTable = "bench-policy";
        SessionTableSetup.ensureTable(dynamoDb, state);
        PolicyTable.ensureTable(dynamoDb, policyTable);
        String secretId = UpstreamAuth.SECRET_PREFIX + "bench-ledger";
        if (secrets.listSecrets().secretList().stream().noneMatch(s -> s.name().equals(secretId))) {
            secrets.createSecret(b -> b.name(secretId).secretString("bench-upstream-secret-value"));
        }
        PolicyAdmin admin = new PolicyAdmin(dynamoDb, policyTable);
        admin.registerServer("ledger", URI.create("http://127.0.0.1:9/mcp"),
                new UpstreamAuth(UpstreamAuth.Scheme.BEARER, secretId, null), Duration.ofSeconds(2), Duration.ofSeconds(25));
        admin.grant("bench-agent", "bench", new ServerGrant("ledger", List.of("get_*", "transfer")));

        TestTokens tokens = TestTokens.create(ISSUER, RESOURCE);
        Path pem = tokens.writePublicKeyPem(Files.createTempDirectory("bench-issuer").resolve("rsa.pem"), TestTokens.KeyKind.RSA);
        JwtAgentAuthenticator authenticator = new JwtAgentAuthenticator(FixedAuthConfig.pem(RESOURCE, ISSUER, pem, List.of("RS256")));
        String header = "Bearer " + tokens.forAgent("bench-agent").tenant("bench").actingFor("user@bench").expiresIn(Duration.ofHours(1)).sign();

        Clock clock = Clock.systemUTC();
        Duration cacheTtl = Duration.ofSeconds(30);
        AccessPolicy policy = new AccessPolicy(new DynamoDbPolicyStore(dynamoDb, policyTable), cacheTtl, clock);
        DynamoDbUpstreamRegistry registry = new DynamoDbUpstreamRegistry(dynamoDb, policyTable);
        TtlCache<String, Optional<UpstreamServer>> servers = new TtlCache<>(cacheTtl, clock);
        SecretsManagerCredentialSource credentials = new SecretsManagerCredentialSource(secrets, new ObjectMapper(),
                Duration.ofMinutes(5), clock);
        DynamoDbRateLimiter limiter = new DynamoDbRateLimiter(dynamoDb, state);
        RateLimit generous = new RateLimit(1_000_000, 1_000_000);

        long[] authMicros = new long[iterations];
        long[] policyMicros = new long[iterations];
        long[] credentialMicros = new long[iterations];
        long[] totalMicros = new long[iterations];
        long[] rateMicros = new long[iterations];
        long governanceCalls = 0;
        long rateCalls = 0;
        for (int i = -warmup; i < iterations; i++) {
            long before = counter.count();
            long t0 = System.nanoTime();
            AgentIdentity identity = authenticator.authenticate(header, "ledger");
            long t1 = System.nanoTime();
            UpstreamServer server = servers.get("ledger", registry::find).orElseThrow();
            policy.admit(identity, server);
            policy.checkToolCall(identity, server, "get_balance");
            long t2 = System.nanoTime();
            credentials.resolve(server, false);
            long t3 = System.nanoTime();
            long afterGovernance = counter.count();
            limiter.tryAcquire("agent#bench-agent", generous, clock.instant());
            long t4 = System.nanoTime();
            if (i >= 0) {
                authMicros[i] = (t1 - t0) / 1_000;
                policyMicros[i] = (t2 - t1) / 1_000;
                credentialMicros[i] = (t3 - t2) / 1_000;
                totalMicros[i] = (t3 - t0) / 1_000;
                rateMicros[i] = (t4 - t3) / 1_000;
                governanceCalls += afterGovernance - before;
                rateCalls += counter.count() - afterGovernance;
            }
        }

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("iterations", iterations);
        results.put("authenticationUs", stats(authMicros));
        results.put("authorisationUs", stats(policyMicros));
        results.put("secretResolutionUs", stats(credentialMicros));
        results.put("governanceTotalUs", stats(totalMicros));
        results.put("awsCallsPerCallGovernanceWarm", (double) governanceCalls / iterations);
        results.put("rateLimitAcquireUs", stats(rateMicros));
        results.put("awsCallsPerCallRateLimit", (double) rateCalls / iterations);
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(results);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/governance.json"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.out.println(json);
        System.exit(0);
    }

    private static Map<String, Double> stats(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        Map<String, Double> stats = new LinkedHashMap<>();
        stats.put("p50", (double) sorted[(int) Math.ceil(0.50 * sorted.length) - 1]);
        stats.put("p99", (double) sorted[(int) Math.ceil(0.99 * sorted.length) - 1]);
        stats.put("max", (double) sorted[sorted.length - 1]);
        return stats;
    }
}
