package dev.mcpbroker.e2e;

import dev.mcpbroker.testkit.upstream.NodeTools;
import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code scripts/run-local.sh}: the broker on embedded defaults. Local AWS emulators (or LocalStack), the
 * demo payments server and server-everything upstream, and one broker function instance, all on
 * 127.0.0.1 until Ctrl-C.
 */
public final class LocalBroker {

    private LocalBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean withEverything = !Boolean.getBoolean("broker.local.no-everything");
        Path logDir = Path.of(System.getProperty("broker.local.logs", "target/local-run"));
        LocalBrokerStack stack = LocalBrokerStack.start(1, withEverything, logDir.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "stop-local-broker"));

        URI payments = stack.endpoint(0, LocalBrokerStack.PAYMENTS);
        String token = stack.devToken(Duration.ofHours(12));
        StringBuilder banner = new StringBuilder()
                .append("\nmcp-broker is running (AWS environment: ").append(stack.aws().kind()).append(")\n\n")
                .append("  MCP endpoints (Streamable HTTP):\n")
                .append("    payments   ").append(payments).append("   (demo ledger: transfer, get_balance, list_transfers)\n");
        if (withEverything) {
            banner.append("    everything ").append(stack.endpoint(0, LocalBrokerStack.EVERYTHING))
                    .append("   (@modelcontextprotocol/server-everything)\n");
        }
        // Inspector 2.x needs Node >= 22.19; older CLIs drop the endpoint's path. Point at the Node 22 the
        // harness installed so the printed commands work as they are.
        String npx = "PATH=" + NodeTools.node().getParent() + ":$PATH npx -y @modelcontextprotocol/inspector";
        String auth = " --header \"Authorization: Bearer $MCP_BROKER_TOKEN\"";
        banner.append("\n  Dev token (agent ").append(LocalBrokerStack.DEV_AGENT).append(", tenant ")
                .append(LocalBrokerStack.DEV_TENANT).append(", valid 12 h):\n")
                .append("    export MCP_BROKER_TOKEN=").append(token).append('\n');
        banner.append("\n  Try it with a real client, e.g. the MCP Inspector CLI:\n")
                .append("    ").append(npx).append(" --cli ").append(payments)
                .append(" --transport http").append(auth).append(" --method tools/list\n")
                .append("    ").append(npx).append(" --cli ").append(payments)
                .append(" --transport http").append(auth)
                .append(" --method tools/call --tool-name get_balance --tool-arg account=alice\n")
                .append("  or the Inspector UI: ").append(npx)
                .append("  (transport Streamable HTTP, URL as above, header Authorization: Bearer <token>)\n")
                .append("\n  Manage it with scripts/admin.sh after:\n")
                .append("    export AWS_REGION=").append(stack.aws().region().id())
                .append(" AWS_ACCESS_KEY_ID=").append(stack.aws().credentials().resolveCredentials().accessKeyId())
                .append(" AWS_SECRET_ACCESS_KEY=").append(stack.aws().credentials().resolveCredentials().secretAccessKey()).append('\n')
                .append("    export AWS_ENDPOINT_URL_DYNAMODB=").append(stack.aws().dynamoDbEndpoint())
                .append(" AWS_ENDPOINT_URL_SECRETS_MANAGER=").append(stack.aws().secretsManagerEndpoint()).append('\n')
                .append("    export BROKER_SESSION_TABLE=").append(LocalBrokerStack.TABLE)
                .append(" BROKER_POLICY_TABLE=").append(LocalBrokerStack.POLICY_TABLE).append('\n')
                .append("  Logs: ").append(logDir.toAbsolutePath()).append('\n')
                .append("\nCtrl-C stops everything.\n");
        System.out.println(banner);
        stopped.await();
    }
}
