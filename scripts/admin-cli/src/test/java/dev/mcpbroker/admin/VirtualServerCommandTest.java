package dev.mcpbroker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.sessiontable.policy.DynamoDbVirtualServerRegistry;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code define-virtual-server}, {@code remove-virtual-server} and {@code list-virtual-servers} against the local DynamoDB. */
class VirtualServerCommandTest {

    private static final String POLICY = "admin-cli-virtual-policy";
    private static final String STATE = "admin-cli-virtual-state";
    private static AwsEnvironment aws;

    private final String pay = unique("pay");
    private final String docs = unique("docs");

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
        AdminCli cli = new AdminCli(aws.dynamoDb(), aws.secretsManager(), POLICY, STATE, Clock.systemUTC(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8));
        int status = cli.run(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void registerBoth() {
        for (String server : List.of(pay, docs)) {
            assertThat(run("register-server", server, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true").status)
                    .isZero();
        }
    }

    @Test
    void aDefinedVirtualServerIsWhatTheBrokerReadsAndIsListed() {
        registerBoth();
        String name = unique("all");

        Result defined = run("define-virtual-server", name, pay + ";prefix=pay;tools=get_*,transfer;prompts=",
                docs + ";prefix=kb;resources=file:///kb/*");

        assertThat(defined.status).as(defined.err).isZero();
        assertThat(new DynamoDbVirtualServerRegistry(aws.dynamoDb(), POLICY).find(name)).contains(new VirtualServer(name, List.of(
                new VirtualMember(pay, "pay", List.of("get_*", "transfer"), null, List.of()),
                new VirtualMember(docs, "kb", null, List.of("file:///kb/*"), null))));
        assertThat(run("list-virtual-servers").out).contains(name + "\t" + pay + ";prefix=pay;tools=get_*,transfer;prompts=");
        assertThat(run("remove-virtual-server", name).status).isZero();
        assertThat(run("remove-virtual-server", name).err).contains("virtual_server_not_found");
    }

    @Test
    void conflictingNamesAnUpstreamsNameAndUnknownMembersAreRefusedWithStableReasons() {
        registerBoth();
        String name = unique("clash");

        Result conflict = run("define-virtual-server", name, pay, docs);
        Result taken = run("define-virtual-server", pay, docs + ";prefix=d");
        Result unknown = run("define-virtual-server", name, pay + ";prefix=p", unique("nobody") + ";prefix=n");

        assertThat(conflict.status).isEqualTo(1);
        assertThat(conflict.err).contains("virtual_name_conflict");
        assertThat(taken.err).contains("virtual_name_taken");
        assertThat(unknown.err).contains("virtual_member_unknown");
        assertThat(new DynamoDbVirtualServerRegistry(aws.dynamoDb(), POLICY).find(name)).isEmpty();
    }

    @Test
    void anUpstreamCannotBeRegisteredUnderAVirtualServersNameAndMalformedMembersAreUsageErrors() {
        registerBoth();
        String name = unique("virtual");
        assertThat(run("define-virtual-server", name, pay + ";prefix=p").status).isZero();

        Result shadow = run("register-server", name, "--url", "http://127.0.0.1:9/mcp", "--local-development", "true");
        Result malformed = run("define-virtual-server", unique("v"), pay + ";tool=x");

        assertThat(shadow.status).isEqualTo(2);
        assertThat(shadow.err).contains("virtual server's name");
        assertThat(malformed.status).isEqualTo(2);
    }
}
