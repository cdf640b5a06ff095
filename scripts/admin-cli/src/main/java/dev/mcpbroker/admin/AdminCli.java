package dev.mcpbroker.admin;

import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.session.BrokerSession;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamEndpoints;
import dev.mcpbroker.sessiontable.SessionAdmin;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.policy.DynamoDbVirtualServerRegistry;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyAdminException;
import dev.mcpbroker.admin.Arguments.UsageException;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * {@code scripts/admin.sh}: manages what the broker only reads. Endpoints and credentials come from the
 * AWS SDK's own environment ({@code AWS_REGION}, {@code AWS_PROFILE}, {@code AWS_ENDPOINT_URL_DYNAMODB},
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} for emulators), table names from {@code BROKER_POLICY_TABLE} and
 * {@code BROKER_SESSION_TABLE}, the same variables the function reads. Secret values are read from standard
 * input, never from the command line, where other users of the machine could see them.
 */
public final class AdminCli {

    static final String USAGE = """
            usage: admin.sh <command> [arguments]

              register-server <id> --url <https-url> [--auth none|bearer|basic|header:<Header-Name>]
                              [--connect-timeout PT2S] [--request-timeout PT25S] [--local-development true]
                                              local development also admits http and loopback URLs
              set-secret <server-id>          reads the secret from standard input (basic: {"username":..,"password":..})
              grant <agent-id> --tenant <tenant> --server <server-id> [--tools name,prefix*,...]
                    [--resources uri,prefix*,template{x},...|*] [--prompts name,prefix*,...|*] [--methods m,...]
                                              no --tools: every tool; no --resources/--prompts/--methods: none
              revoke <agent-id> --server <server-id>
              set-agent-rate <agent-id> --per-second <r> --burst <n>
              set-tenant-rate <tenant-id> --per-second <r> --burst <n>
              set-tool-kind <server-id> <tool> read-only|state-changing|as-annotated
                                              overrides the upstream's readOnlyHint for idempotency
              set-key-policy <server-id> require|optional|default
                                              whether state-changing calls need an idempotency key
              set-session-limits <server-id> [--max-sessions <n>|default] [--warm <n>]
                                              concurrent-session cap and warm pool size
              set-session-shares <server-id> [--per-tenant <n>|none] [--per-agent <n>|none]
                                              sessions one tenant / one agent may hold of the server's cap
              set-generation <server-id> sessions|stateless|learn
                                              the MCP generation the server speaks (2025-11-25 sessions or
                                              2026-07-28 stateless); learn: the broker asks the server
              kill-server <server-id>         revive-server <server-id>
              kill-tool <server-id> <tool>    revive-tool <server-id> <tool>
              kill-resource <server-id> <uri|prefix*>   revive-resource <server-id> <uri|prefix*>
              kill-prompt <server-id> <prompt>          revive-prompt <server-id> <prompt>
            """ + ToolPinCommand.USAGE + """
              list-servers | list-grants | list-sessions [--server <server-id>]
              define-virtual-server <name> <member>... [--replace true]
                                              one endpoint for several servers; a member is
                                              server[;prefix=p][;tools=a,b*][;resources=u,p*][;prompts=x,y*]
                                              (prefix p: tool/prompt t is exposed as p__t; no list: all; "tools=": none)
              remove-virtual-server <name>    list-virtual-servers
              create-tables                   for local runs; in AWS the SAM template creates them
              audit-redrive [--stream-arn <arn>] [--min-age PT15M]
                                              re-sends outbox events the forwarder never delivered, in chain
                                              order, and marks them delivered; stream: $BROKER_AUDIT_STREAM_ARN
            """;

    /** Secrets the CLI creates are named under this prefix, which the broker's IAM policy is scoped to. */
    public static final String SECRET_PREFIX = UpstreamAuth.SECRET_PREFIX;

    private final DynamoDbClient dynamoDb;
    private final SecretsManagerClient secrets;
    private final Supplier<KinesisClient> kinesis;
    private final Map<String, String> env;
    private final String policyTable;
    private final String sessionTable;
    private final Clock clock;
    private final InputStream in;
    private final PrintStream out;

    public AdminCli(DynamoDbClient dynamoDb, SecretsManagerClient secrets, String policyTable, String sessionTable,
                    Clock clock, InputStream in, PrintStream out) {
        this(dynamoDb, secrets, () -> {
            throw new IllegalStateException("no Kinesis client configured");
        }, Map.of(), policyTable, sessionTable, clock, in, out);
    }

    /** @param kinesis the audit stream's client, asked for only by {@code audit-redrive} */
    public AdminCli(DynamoDbClient dynamoDb, SecretsManagerClient secrets, Supplier<KinesisClient> kinesis,
                    Map<String, String> env, String policyTable, String sessionTable, Clock clock, InputStream in,
                    PrintStream out) {
        this.kinesis = kinesis;
        this.env = Map.copyOf(env);
        this.dynamoDb = dynamoDb;
        this.secrets = secrets;
        this.policyTable = policyTable;
        this.sessionTable = sessionTable;
        this.clock = clock;
        this.in = in;
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.err.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String policyTable = System.getenv().getOrDefault("BROKER_POLICY_TABLE", "mcp-broker-policy");
        String sessionTable = System.getenv().getOrDefault("BROKER_SESSION_TABLE", "mcp-broker-state");
        int status;
        try (DynamoDbClient dynamoDb = DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
             LazyKinesis kinesis = new LazyKinesis()) {
            status = new AdminCli(dynamoDb, secrets, kinesis, System.getenv(), policyTable, sessionTable, Clock.systemUTC(),
                    System.in, System.out).run(args, System.err);
        } catch (SdkClientException e) {
            // No region or credentials: say so in one line, not with the SDK's stack trace.
            System.err.println("admin: AWS is not configured (set AWS_REGION and credentials, or the emulator "
                    + "endpoints scripts/run-local.sh prints): " + e.getMessage().lines().findFirst().orElse(""));
            status = 1;
        }
        System.exit(status);
    }

    /** Runs one command; returns the process exit status (0 done, 1 refused, 2 usage). */
    public int run(String[] args, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            err.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Arguments a = new Arguments(args);
        try {
            if (ToolPinCommand.COMMANDS.contains(a.command())) {
                return new ToolPinCommand(dynamoDb, secrets, policyTable, env, clock, out, err).run(a);
            }
            if (VirtualServerCommand.COMMANDS.contains(a.command())) {
                return new VirtualServerCommand(new DynamoDbVirtualServerRegistry(dynamoDb, policyTable, clock), out).run(a, err);
            }
            if (a.command().equals("audit-redrive")) {
                a.refuseOptionsOutside(java.util.Set.of("--stream-arn", "--min-age"));
                return new AuditRedriveCommand(dynamoDb, sessionTable, kinesis, env, clock, out).run(a);
            }
            execute(a.command(), a);
            return 0;
        } catch (UsageException e) {
            err.println("admin: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (PolicyAdminException.UnknownServerException e) {
            err.println("admin: no server '" + e.serverId() + "' is registered");
            return 1;
        } catch (PolicyAdminException.UnknownAgentException e) {
            err.println("admin: agent '" + e.agentId() + "' has no allowlist entry");
            return 1;
        } catch (PolicyAdminException.TenantConflictException e) {
            err.println("admin: agent '" + e.agentId() + "' belongs to tenant '" + e.currentTenantId()
                    + "', not '" + e.requestedTenantId() + "'");
            return 1;
        } catch (StoreUnavailableException e) {
            err.println("admin: " + e.getMessage());
            return 1;
        }
    }

    /** The options each command takes; anything else is refused before a single write. */
    private static final Map<String, java.util.Set<String>> OPTIONS = Map.ofEntries(
            Map.entry("register-server", java.util.Set.of("--url", "--auth", "--connect-timeout", "--request-timeout",
                    "--local-development")),
            Map.entry("set-secret", java.util.Set.of()),
            Map.entry("grant", java.util.Set.of("--tenant", "--server", "--tools", "--resources", "--prompts", "--methods")),
            Map.entry("revoke", java.util.Set.of("--server")),
            Map.entry("set-agent-rate", java.util.Set.of("--per-second", "--burst")),
            Map.entry("set-tenant-rate", java.util.Set.of("--per-second", "--burst")),
            Map.entry("set-tool-kind", java.util.Set.of()),
            Map.entry("set-key-policy", java.util.Set.of()),
            Map.entry("set-session-limits", java.util.Set.of("--max-sessions", "--warm")),
            Map.entry("set-session-shares", java.util.Set.of("--per-tenant", "--per-agent")),
            Map.entry("set-generation", java.util.Set.of()),
            Map.entry("kill-server", java.util.Set.of()),
            Map.entry("revive-server", java.util.Set.of()),
            Map.entry("kill-tool", java.util.Set.of()),
            Map.entry("revive-tool", java.util.Set.of()),
            Map.entry("kill-resource", java.util.Set.of()),
            Map.entry("revive-resource", java.util.Set.of()),
            Map.entry("kill-prompt", java.util.Set.of()),
            Map.entry("revive-prompt", java.util.Set.of()),
            Map.entry("list-servers", java.util.Set.of()),
            Map.entry("list-grants", java.util.Set.of()),
            Map.entry("list-sessions", java.util.Set.of("--server")),
            Map.entry("create-tables", java.util.Set.of()));

    private void execute(String command, Arguments a) {
        java.util.Set<String> allowed = OPTIONS.get(command);
        if (allowed == null) {
            throw new UsageException("unknown command '" + command + "'");
        }
        a.refuseOptionsOutside(allowed);
        PolicyAdmin policy = new PolicyAdmin(dynamoDb, policyTable, clock);
        switch (command) {
            case "register-server" -> {
                String id = a.positional("server id");
                URI url = URI.create(a.required("--url"));
                UpstreamEndpoints.of(Boolean.parseBoolean(a.option("--local-development", "false"))).problem(url)
                        .ifPresent(problem -> {
                            throw new UsageException("--url is not an endpoint the broker may contact: " + problem);
                        });
                if (new DynamoDbVirtualServerRegistry(dynamoDb, policyTable, clock).find(id).isPresent()) {
                    // agents reach the virtual server by this name; an upstream server would take it over
                    throw new UsageException("'" + id + "' is a virtual server's name; remove-virtual-server it first");
                }
                policy.registerServer(id, url, auth(id, a.option("--auth", "none")),
                        Duration.parse(a.option("--connect-timeout", "PT2S")),
                        Duration.parse(a.option("--request-timeout", "PT25S")));
                out.println("registered " + id);
            }
            case "set-secret" -> {
                String id = a.positional("server id");
                String arn = putSecret(SECRET_PREFIX + id, readSecret());
                policy.setSecretId(id, arn);
                out.println("secret of " + id + " stored as " + arn);
            }
            case "grant" -> {
                String agent = a.positional("agent id");
                policy.grant(agent, a.required("--tenant"), new ServerGrant(a.required("--server"), a.list("--tools"),
                        a.list("--resources"), a.list("--prompts"), a.list("--methods")));
                out.println("granted " + agent + " " + a.required("--server"));
            }
            case "revoke" -> {
                String agent = a.positional("agent id");
                boolean removed = policy.revoke(agent, a.required("--server"));
                out.println(removed ? "revoked " + agent + " " + a.required("--server") : "nothing to revoke");
            }
            case "set-agent-rate" -> policy.setAgentRate(a.positional("agent id"), rate(a));
            case "set-tenant-rate" -> policy.setTenantRate(a.positional("tenant id"), rate(a));
            case "set-tool-kind" -> {
                String server = a.positional("server id");
                String tool = a.positional("tool");
                PolicyAdmin.ToolKind kind = switch (a.positional("kind")) {
                    case "read-only" -> PolicyAdmin.ToolKind.READ_ONLY;
                    case "state-changing" -> PolicyAdmin.ToolKind.STATE_CHANGING;
                    case "as-annotated" -> PolicyAdmin.ToolKind.AS_ANNOTATED;
                    default -> throw new UsageException("kind must be read-only, state-changing or as-annotated");
                };
                policy.setToolKind(server, tool, kind);
            }
            case "set-key-policy" -> {
                String server = a.positional("server id");
                Boolean require = switch (a.positional("policy")) {
                    case "require" -> Boolean.TRUE;
                    case "optional" -> Boolean.FALSE;
                    case "default" -> null;
                    default -> throw new UsageException("policy must be require, optional or default");
                };
                policy.setKeyPolicy(server, require);
            }
            case "set-session-limits" -> {
                String server = a.positional("server id");
                String max = a.option("--max-sessions", "default");
                try {
                    policy.setSessionLimits(server, new SessionLimits(
                            "default".equals(max) ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.parseInt(max)),
                            Integer.parseInt(a.option("--warm", "0"))));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--max-sessions is a positive number or default, --warm a number >= 0");
                }
            }
            case "set-generation" -> {
                String server = a.positional("server id");
                policy.setGeneration(server, switch (a.positional("generation")) {
                    case "sessions" -> Optional.of(McpMethod.Generation.SESSIONS);
                    case "stateless" -> Optional.of(McpMethod.Generation.STATELESS);
                    case "learn" -> Optional.empty();
                    default -> throw new UsageException("generation must be sessions, stateless or learn");
                });
                out.println("generation of " + server + " set");
            }
            case "set-session-shares" -> {
                String server = a.positional("server id");
                try {
                    policy.setSessionShares(server, share(a.option("--per-tenant", "none")), share(a.option("--per-agent", "none")));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--per-tenant and --per-agent are positive numbers or none");
                }
            }
            case "kill-server" -> policy.killServer(a.positional("server id"));
            case "revive-server" -> policy.reviveServer(a.positional("server id"));
            case "kill-tool" -> policy.killTool(a.positional("server id"), a.positional("tool"));
            case "revive-tool" -> policy.reviveTool(a.positional("server id"), a.positional("tool"));
            case "kill-resource" -> policy.killResource(a.positional("server id"), a.positional("resource"), true);
            case "revive-resource" -> policy.killResource(a.positional("server id"), a.positional("resource"), false);
            case "kill-prompt" -> policy.killPrompt(a.positional("server id"), a.positional("prompt"), true);
            case "revive-prompt" -> policy.killPrompt(a.positional("server id"), a.positional("prompt"), false);
            case "list-servers" -> policy.listServers().forEach(s -> out.println(Listing.server(s)));
            case "list-grants" -> policy.listGrants().forEach(g -> out.println(Listing.grant(g)));
            case "list-sessions" -> {
                List<BrokerSession> live = new SessionAdmin(dynamoDb, sessionTable).liveSessions(clock.instant(),
                        a.option("--server", null));
                live.forEach(s -> out.println(s.serverId() + "\t" + s.owner().agentId() + "\t" + s.owner().tenantId()
                        + "\t" + s.createdAt() + "\t" + s.endOfLife()));
                out.println(live.size() + " live session(s)");
            }
            case "create-tables" -> {
                SessionTableSetup.ensureTable(dynamoDb, sessionTable);
                PolicyTable.ensureTable(dynamoDb, policyTable);
                out.println("tables " + sessionTable + " and " + policyTable + " exist");
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        }
        a.requireAllUsed();
    }

    private static UpstreamAuth auth(String serverId, String spec) {
        String secretId = SECRET_PREFIX + serverId;
        return switch (spec) {
            case "none" -> UpstreamAuth.NONE;
            case "bearer" -> new UpstreamAuth(UpstreamAuth.Scheme.BEARER, secretId, null);
            case "basic" -> new UpstreamAuth(UpstreamAuth.Scheme.BASIC, secretId, null);
            default -> {
                if (spec.startsWith("header:") && spec.length() > "header:".length()) {
                    yield new UpstreamAuth(UpstreamAuth.Scheme.HEADER, secretId, spec.substring("header:".length()));
                }
                throw new UsageException("--auth must be none, bearer, basic or header:<Header-Name>");
            }
        };
    }

    private static java.util.OptionalInt share(String value) {
        return "none".equals(value) ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(Integer.parseInt(value));
    }

    private static RateLimit rate(Arguments a) {
        try {
            return new RateLimit(Double.parseDouble(a.required("--per-second")), Integer.parseInt(a.required("--burst")));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--per-second must be > 0 and --burst >= 1");
        }
    }

    private String readSecret() {
        try {
            String value = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .reduce((x, y) -> x + "\n" + y).orElse("").strip();
            if (value.isEmpty()) {
                throw new UsageException("set-secret reads the secret from standard input; it was empty");
            }
            return value;
        } catch (java.io.UncheckedIOException e) {
            throw new UsageException("could not read standard input");
        }
    }

    /** Creates the secret, or adds a new current version when it exists; returns its ARN. */
    private String putSecret(String name, String value) {
        try {
            secrets.putSecretValue(b -> b.secretId(name).secretString(value));
            return secrets.describeSecret(b -> b.secretId(name)).arn();
        } catch (ResourceNotFoundException missing) {
            return secrets.createSecret(b -> b.name(name).secretString(value)
                    .description("Upstream credential used by mcp-broker")).arn();
        }
    }
}
