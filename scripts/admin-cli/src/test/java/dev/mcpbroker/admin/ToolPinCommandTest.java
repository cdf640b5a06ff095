package dev.mcpbroker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.sessiontable.policy.DynamoDbToolApprovals;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tool pinning commands against the local AWS environment, where no upstream is needed: the mode, and what is
 * refused before anything is written. Reading live definitions from a real upstream is proven end to end
 * ({@code ToolPinningTest}).
 */
class ToolPinCommandTest {

    private static final String POLICY = "admin-cli-policy";
    private static AwsEnvironment aws;

    @BeforeAll
    static void tables() {
        aws = AwsEnvironment.shared();
        assertThat(run("create-tables").status).isZero();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AdminCli cli = new AdminCli(aws.dynamoDb(), aws.secretsManager(), POLICY, "admin-cli-state", Clock.systemUTC(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8));
        int status = cli.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String registered() {
        String server = "pinned-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(run("register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true").status)
                .isZero();
        return server;
    }

    @Test
    void theModeSetIsTheModeTheBrokerReads() {
        String server = registered();

        assertThat(run("set-tool-pinning", server, "enforce").status).isZero();
        assertThat(new DynamoDbToolApprovals(aws.dynamoDb(), POLICY, Clock.systemUTC()).read(server).mode())
                .isEqualTo(PinningMode.ENFORCE);
        assertThat(run("set-tool-pinning", server, "warn").status).isZero();
        assertThat(new DynamoDbToolApprovals(aws.dynamoDb(), POLICY, Clock.systemUTC()).read(server).mode())
                .isEqualTo(PinningMode.WARN);
    }

    @Test
    void theModeOfAServerThatIsNotRegisteredIsRefused() {
        Result refused = run("set-tool-pinning", "no-such-server-" + UUID.randomUUID(), "enforce");

        assertThat(refused.status).isEqualTo(1);
        assertThat(refused.err).contains("is registered");
    }

    @Test
    void anUnknownModeOrAnApprovalWithoutTheHashSeenIsAUsageError() {
        String server = registered();

        assertThat(run("set-tool-pinning", server, "strict").status).isEqualTo(2);
        assertThat(run("approve-tool", server, "get_balance").status).isEqualTo(2);
        assertThat(run("list-tools", server, "--hash", "x").status).isEqualTo(2);
        assertThat(new DynamoDbToolApprovals(aws.dynamoDb(), POLICY, Clock.systemUTC()).read(server).approved()).isEmpty();
    }

    @Test
    void anUpstreamThatCannotBeReachedIsSaidAndNothingIsApproved() {
        String server = registered();

        Result refused = run("approve-tool", server, "--all", "true", "--hash", "0".repeat(64), "--local-development", "true");

        assertThat(refused.status).isEqualTo(1);
        assertThat(refused.err).contains("could not be read from the upstream").contains("upstream_unreachable");
        assertThat(new DynamoDbToolApprovals(aws.dynamoDb(), POLICY, Clock.systemUTC()).read(server).approved()).isEmpty();
    }
}
