package dev.mcpbroker.e2e.local;

import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.e2e.LocalIdentity;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.NodeTools;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the local run prints once it is up: the endpoints and ports, how to authenticate, ready-to-paste commands for
 * a real client, a state-changing call and its outcome, the admin CLI, the audit trail's verification, and where
 * telemetry and logs go. Every command is complete as printed; the end-to-end test runs them from this text.
 */
public final class LocalRunBanner {

    /** The idempotency key of the printed state-changing call. */
    public static final String EXAMPLE_KEY = "first-transfer";

    private LocalRunBanner() {
    }

    public static String render(LocalRun run, Duration startup) {
        LocalBrokerStack stack = run.stack();
        AwsEnvironment aws = run.aws();
        LocalRunOptions options = run.options();
        URI payments = stack.endpoint(0, LocalBrokerStack.PAYMENTS);
        StringBuilder b = new StringBuilder()
                .append("\nmcp-broker is running: every function of infra/template.yaml, on 127.0.0.1 (up in ")
                .append(String.format(java.util.Locale.ROOT, "%.1f", startup.toMillis() / 1000.0)).append(" s)\n\n")
                .append("  MCP endpoints (Streamable HTTP), API gateway on port ").append(options.port()).append(" (--port):\n")
                .append("    payments   ").append(payments).append("   (demo ledger: transfer, get_balance, list_transfers)\n");
        if (options.withEverything()) {
            b.append("    everything ").append(stack.endpoint(0, LocalBrokerStack.EVERYTHING))
                    .append("   (@modelcontextprotocol/server-everything)\n");
        }
        options.upstreams().forEach((id, url) -> b.append("    ").append(id).append(' ').append(stack.endpoint(0, id))
                .append("   (--upstream ").append(url).append(")\n"));
        identity(b, stack);
        clients(b, payments);
        admin(b, run, aws);
        b.append("\n  Audit trail: the state table's stream feeds the audit forwarder, which puts every event on Kinesis stream ")
                .append(LocalAuditTrail.STREAM).append("\n  in the audit account ").append(LocalAuditTrail.AUDIT_ACCOUNT)
                .append(". Verify every session's hash chain there:\n    ")
                .append(assignments(run.auditTrail().verifierEnvironment()))
                .append(" scripts/audit-verify.sh --stream ").append(LocalAuditTrail.STREAM).append('\n');
        b.append("\n  Session maintenance (lease reaping, warm pools, live sessions): every ")
                .append(human(run.maintenanceRate())).append(" (--maintenance-every); its reports appear below.\n");
        b.append("  Telemetry: ").append(options.otlp()
                .map(otlp -> "traces and metrics of all three functions go to " + otlp + " (OTLP/HTTP)")
                .orElse("request logs and EMF metric lines in the logs; --otlp http://127.0.0.1:4318 sends traces and "
                        + "metrics to an OTLP/HTTP collector")).append('\n');
        b.append("  AWS emulators (--aws-ports ").append(options.awsPorts()).append("): DynamoDB ")
                .append(aws.dynamoDbEndpoint().getPort()).append(", Kinesis ").append(aws.kinesisEndpoint().getPort())
                .append(", Secrets Manager ").append(aws.secretsManagerEndpoint().getPort()).append(", STS ")
                .append(aws.stsEndpoint().getPort()).append('\n');
        b.append("  Logs: ").append(run.logDir()).append('\n');
        return b.append("\nCtrl-C stops everything.\n").toString();
    }

    private static void identity(StringBuilder b, LocalBrokerStack stack) {
        LocalIdentity identity = stack.identity();
        if (identity.isDev()) {
            b.append("\n  Dev token (agent ").append(LocalBrokerStack.DEV_AGENT).append(", tenant ").append(LocalBrokerStack.DEV_TENANT)
                    .append(", valid 12 h; --issuer, --jwks-url and --audience trust your own identity provider instead):\n")
                    .append("    export MCP_BROKER_TOKEN=").append(stack.devToken(Duration.ofHours(12))).append('\n');
        } else {
            b.append("\n  Tokens: from your identity provider, issuer ").append(identity.issuer()).append(",\n    keys ")
                    .append(identity.jwksUrl().orElseThrow()).append(", audience ").append(identity.audience())
                    .append(" (agent: claim sub, tenant: claim tenant).\n")
                    .append("    Grant your agents with scripts/admin.sh (environment below), e.g.\n")
                    .append("    scripts/admin.sh grant <agent id> --tenant <tenant> --server ").append(LocalBrokerStack.PAYMENTS).append('\n')
                    .append("    export MCP_BROKER_TOKEN=<a token of your identity provider>\n");
        }
    }

    private static void clients(StringBuilder b, URI payments) {
        // Inspector 2.x needs Node >= 22.19; older CLIs drop the endpoint's path. Point at the Node 22 the harness
        // installed so the printed commands work as they are.
        String npx = "PATH=" + NodeTools.node().getParent() + ":$PATH npx -y @modelcontextprotocol/inspector";
        String auth = " --header \"Authorization: Bearer $MCP_BROKER_TOKEN\"";
        b.append("\n  Try it with a real client, e.g. the MCP Inspector CLI:\n")
                .append("    ").append(npx).append(" --cli ").append(payments).append(" --transport http").append(auth)
                .append(" --method tools/list\n")
                .append("    ").append(npx).append(" --cli ").append(payments).append(" --transport http").append(auth)
                .append(" --method tools/call --tool-name get_balance --tool-arg account=alice\n")
                .append("  or the Inspector UI: ").append(npx)
                .append("  (transport Streamable HTTP, URL as above, header Authorization: Bearer <token>)\n");
        String post = " " + payments + " -d ";
        b.append("\n  A state-changing call with an Idempotency-Key, then its outcome (curl, one session):\n")
                .append("    H=(-H \"Authorization: Bearer $MCP_BROKER_TOKEN\" -H 'Content-Type: application/json'"
                        + " -H 'Accept: application/json, text/event-stream')\n")
                .append("    SID=$(curl -s -D - -o /dev/null \"${H[@]}\"").append(post)
                .append("'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}'"
                        + " | tr -d '\\r' | awk 'tolower($1)==\"mcp-session-id:\" {print $2}')\n")
                .append("    curl -s \"${H[@]}\" -H \"Mcp-Session-Id: $SID\" -H 'Idempotency-Key: ").append(EXAMPLE_KEY).append('\'')
                .append(post).append("'{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\","
                        + "\"arguments\":{\"from\":\"alice\",\"to\":\"bob\",\"amountCents\":125}}}'; echo\n")
                .append("    curl -s \"${H[@]}\" -H \"Mcp-Session-Id: $SID\"").append(post)
                .append("'{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"mcp-broker/outcome\",\"params\":{\"tool\":\"transfer\","
                        + "\"idempotencyKey\":\"").append(EXAMPLE_KEY).append("\"}}'; echo\n");
    }

    private static void admin(StringBuilder b, LocalRun run, AwsEnvironment aws) {
        var credentials = aws.credentials().resolveCredentials();
        b.append("\n  Manage it with scripts/admin.sh (grants, kill switches, your own MCP servers) after:\n")
                .append("    export AWS_REGION=").append(aws.region().id()).append(" AWS_ACCESS_KEY_ID=")
                .append(credentials.accessKeyId()).append(" AWS_SECRET_ACCESS_KEY=").append(credentials.secretAccessKey()).append('\n')
                .append("    export AWS_ENDPOINT_URL_DYNAMODB=").append(aws.dynamoDbEndpoint())
                .append(" AWS_ENDPOINT_URL_SECRETS_MANAGER=").append(aws.secretsManagerEndpoint()).append('\n')
                .append("    export BROKER_SESSION_TABLE=").append(LocalBrokerStack.TABLE)
                .append(" BROKER_POLICY_TABLE=").append(LocalBrokerStack.POLICY_TABLE).append('\n')
                .append("    scripts/admin.sh kill-tool payments transfer      # refused for every agent within a second;"
                        + " revive-tool payments transfer\n")
                .append("    scripts/admin.sh register-server my-server --url http://127.0.0.1:3001/mcp"
                        + "   # your own MCP server (or --upstream my-server=<url> at start)\n")
                .append("    scripts/admin.sh grant ").append(LocalBrokerStack.DEV_AGENT).append(" --tenant ")
                .append(LocalBrokerStack.DEV_TENANT).append(" --server my-server   # then ")
                .append(run.stack().broker(0).baseUri().resolve("/mcp/my-server")).append('\n');
    }

    private static String assignments(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String human(Duration duration) {
        if (duration.toSeconds() % 60 == 0 && duration.toSeconds() > 0) {
            return duration.toMinutes() == 1 ? "minute" : duration.toMinutes() + " minutes";
        }
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
