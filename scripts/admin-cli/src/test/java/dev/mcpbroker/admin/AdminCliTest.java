package dev.mcpbroker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.sessiontable.policy.DynamoDbPolicyStore;
import dev.mcpbroker.sessiontable.policy.DynamoDbUpstreamRegistry;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin CLI against the local AWS environment (DynamoDB and Secrets Manager emulators or LocalStack). */
class AdminCliTest {

    private static final String POLICY = "admin-cli-policy";
    private static final String STATE = "admin-cli-state";
    private static AwsEnvironment aws;

    @BeforeAll
    static void tables() {
        aws = AwsEnvironment.shared();
        assertThat(run("", "create-tables").status).isZero();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AdminCli cli = new AdminCli(aws.dynamoDb(), aws.secretsManager(), POLICY, STATE, Clock.systemUTC(),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
        int status = cli.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void registeredServerWithSecretIsWhatTheBrokerReads() {
        String server = unique("ledger");
        assertThat(run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true",
                "--auth", "header:X-Api-Key",
                "--request-timeout", "PT10S").status).isZero();
        Result secret = run("sk-live-0123456789\n", "set-secret", server);
        assertThat(secret.status).isZero();
        assertThat(secret.out + secret.err).doesNotContain("sk-live-0123456789");

        UpstreamServer read = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(read.auth().scheme()).isEqualTo(UpstreamAuth.Scheme.HEADER);
        assertThat(read.auth().headerName()).isEqualTo("X-Api-Key");
        assertThat(read.requestTimeout()).hasSeconds(10);
        assertThat(aws.secretsManager().getSecretValue(b -> b.secretId(read.auth().secretId())).secretString())
                .isEqualTo("sk-live-0123456789");

        // Rotation keeps one secret and makes the new value current.
        assertThat(run("sk-live-rotated-000\n", "set-secret", server).status).isZero();
        assertThat(aws.secretsManager().getSecretValue(b -> b.secretId(read.auth().secretId())).secretString())
                .isEqualTo("sk-live-rotated-000");
    }

    @Test
    void grantKillAndReviveAreVisibleToTheBroker() {
        String server = unique("ledger");
        String agent = unique("agent");
        run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        assertThat(run("", "grant", agent, "--tenant", "t1", "--server", server, "--tools", "get_balance, list_*").status).isZero();
        assertThat(new DynamoDbPolicyStore(aws.dynamoDb(), POLICY).agent(agent).orElseThrow().server(server).orElseThrow()
                .allowsTool("list_transfers")).isTrue();

        assertThat(run("", "kill-tool", server, "transfer").status).isZero();
        assertThat(run("", "kill-server", server).status).isZero();
        UpstreamServer killed = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(killed.controls().killed()).isTrue();
        assertThat(killed.controls().killedTools()).containsExactly("transfer");
        assertThat(run("", "list-servers").out).contains(server).contains("KILLED");

        run("", "revive-server", server);
        run("", "revive-tool", server, "transfer");
        UpstreamServer revived = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(revived.controls().killed()).isFalse();
        assertThat(revived.controls().killedTools()).isEmpty();

        assertThat(run("", "revoke", agent, "--server", server).status).isZero();
        assertThat(new DynamoDbPolicyStore(aws.dynamoDb(), POLICY).agent(agent).orElseThrow().server(server)).isEmpty();
    }

    @Test
    void toolKindAndKeyPolicyOverridesAreWhatTheBrokerReads() {
        String server = unique("ledger");
        run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        assertThat(run("", "set-tool-kind", server, "lookup", "read-only").status).isZero();
        assertThat(run("", "set-tool-kind", server, "refresh_cache", "state-changing").status).isZero();
        assertThat(run("", "set-key-policy", server, "optional").status).isZero();
        UpstreamServer read = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(read.toolPolicy().declaredReadOnly("lookup")).contains(true);
        assertThat(read.toolPolicy().declaredReadOnly("refresh_cache")).contains(false);
        assertThat(read.toolPolicy().requireIdempotencyKey()).contains(false);

        // Declaring the other kind moves the tool; as-annotated and default remove the overrides.
        run("", "set-tool-kind", server, "lookup", "state-changing");
        assertThat(new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow()
                .toolPolicy().declaredReadOnly("lookup")).contains(false);
        run("", "set-tool-kind", server, "lookup", "as-annotated");
        run("", "set-key-policy", server, "default");
        UpstreamServer cleared = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(cleared.toolPolicy().declaredReadOnly("lookup")).isEmpty();
        assertThat(cleared.toolPolicy().requireIdempotencyKey()).isEmpty();
        assertThat(run("", "set-tool-kind", server, "lookup", "sometimes").status).isEqualTo(2);
    }

    @Test
    void aDeclaredGenerationIsWhatTheBrokerReadsAndLearnClearsIt() {
        String server = unique("modern");
        run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        assertThat(run("", "set-generation", server, "stateless").status).isZero();
        assertThat(new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow().declaredGeneration())
                .contains(McpMethod.Generation.STATELESS);

        assertThat(run("", "set-generation", server, "learn").status).isZero();
        assertThat(new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow().declaredGeneration())
                .isEmpty();
        assertThat(run("", "set-generation", server, "2026").status).isEqualTo(2);
        assertThat(run("", "set-generation", unique("unknown"), "sessions").status).isNotZero();
    }

    @Test
    void sessionLimitsAreWhatTheBrokerReadsAndDefaultClearsTheCap() {
        String server = unique("capped");
        run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        assertThat(run("", "set-session-limits", server, "--max-sessions", "25", "--warm", "3").status).isZero();
        UpstreamServer capped = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(capped.sessionLimits().maxSessions()).hasValue(25);
        assertThat(capped.sessionLimits().warmSessions()).isEqualTo(3);

        assertThat(run("", "set-session-limits", server, "--max-sessions", "default").status).isZero();
        UpstreamServer cleared = new DynamoDbUpstreamRegistry(aws.dynamoDb(), POLICY).find(server).orElseThrow();
        assertThat(cleared.sessionLimits().maxSessions()).isEmpty();
        assertThat(cleared.sessionLimits().warmSessions()).isZero();
        assertThat(run("", "set-session-limits", server, "--max-sessions", "0").status).isEqualTo(2);
    }

    @Test
    void grantUnderAnotherTenantIsRefusedWithStatusOne() {
        String server = unique("ledger");
        String agent = unique("agent");
        run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        run("", "grant", agent, "--tenant", "t1", "--server", server);
        Result conflict = run("", "grant", agent, "--tenant", "t2", "--server", server);
        assertThat(conflict.status).isEqualTo(1);
        assertThat(conflict.err).contains("belongs to tenant 't1'");
    }

    @Test
    void wrongCommandLinesExitWithTwoAndUsage() {
        assertThat(run("", "no-such-command").status).isEqualTo(2);
        assertThat(run("", "grant", "agent-x", "--server", "s").err).contains("needs --tenant");
        assertThat(run("", "kill-server", "s", "--bogus", "1").err).contains("unknown option '--bogus'");
        // A mistyped option must not turn into a broader grant: nothing is written.
        String agent = unique("agent");
        assertThat(run("", "grant", agent, "--tenant", "t1", "--server", "s", "--tool", "get_balance").status).isEqualTo(2);
        assertThat(new DynamoDbPolicyStore(aws.dynamoDb(), POLICY).agent(agent)).isEmpty();
        assertThat(run("", "set-secret", unique("s")).status).isEqualTo(2); // empty standard input
    }

    @Test
    void writesToAnUnknownServerAreRefusedWithStatusOne() {
        assertThat(run("", "kill-tool", unique("ghost"), "transfer").status).isEqualTo(1);
    }

    @Test
    void listSessionsCountsLiveSessions() {
        Result result = run("", "list-sessions");
        assertThat(result.status).isZero();
        assertThat(result.out).contains("live session(s)");
    }

    @Test
    void registeringAnEndpointTheBrokerMayNotContactIsRefusedBeforeAnyWrite() {
        String server = unique("refused");

        assertThat(run("", "register-server", server, "--url", "http://payments.example.com/mcp").status).isEqualTo(2);
        assertThat(run("", "register-server", server, "--url", "https://169.254.169.254/latest").status).isEqualTo(2);
        assertThat(run("", "register-server", server, "--url", "http://169.254.169.254/latest",
                "--local-development", "true").status).isEqualTo(2);
        Result loopback = run("", "register-server", server, "--url", "http://127.0.0.1:9/mcp");
        assertThat(loopback.status).isEqualTo(2);
        assertThat(loopback.err).contains("not an endpoint the broker may contact");
        assertThat(run("", "list-servers").out).doesNotContain(server);
    }
}
