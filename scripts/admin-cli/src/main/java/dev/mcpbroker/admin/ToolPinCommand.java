package dev.mcpbroker.admin;

import dev.mcpbroker.admin.Arguments.UsageException;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.pinning.ApprovalConflictException;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinStatus;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolApprovals;
import dev.mcpbroker.core.pinning.ToolDefinition;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.sessiontable.policy.DynamoDbToolApprovals;
import dev.mcpbroker.sessiontable.policy.DynamoDbUpstreamRegistry;
import dev.mcpbroker.sessiontable.policy.PolicyAdminException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Pinned tool definitions: {@code list-tools}, {@code diff-tool}, {@code approve-tool}, {@code set-tool-pinning}. The
 * live definitions are read from the upstream itself; an approval names the hash the operator saw (of one tool, or of
 * the whole listing) and is refused if the upstream serves something else by now, or if someone approved another
 * definition meanwhile.
 */
final class ToolPinCommand {

    static final Set<String> COMMANDS = Set.of("list-tools", "diff-tool", "approve-tool", "set-tool-pinning");

    /** These commands' lines of the CLI's usage text. */
    static final String USAGE = """
              list-tools <server-id> [--local-development true]
                                              the upstream's tools now: approved, changed or new, with hashes
              diff-tool <server-id> <tool> [--local-development true]
                                              what changed since the approval: texts, schema and annotation members
              approve-tool <server-id> <tool> --hash <sha256> [--by <name>]
              approve-tool <server-id> --all true --hash <listing-sha256> [--by <name>]
                                              approves what the upstream serves, if it is still what you looked at
              set-tool-pinning <server-id> off|warn|enforce
                                              enforce: tools not approved are hidden and refused; warn: counted
            """;

    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "list-tools", Set.of("--local-development"),
            "diff-tool", Set.of("--local-development"),
            "approve-tool", Set.of("--local-development", "--hash", "--all", "--by"),
            "set-tool-pinning", Set.of());

    private final DynamoDbClient dynamoDb;
    private final SecretsManagerClient secrets;
    private final String policyTable;
    private final Map<String, String> env;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;

    ToolPinCommand(DynamoDbClient dynamoDb, SecretsManagerClient secrets, String policyTable, Map<String, String> env,
                   Clock clock, PrintStream out, PrintStream err) {
        this.dynamoDb = dynamoDb;
        this.secrets = secrets;
        this.policyTable = policyTable;
        this.env = env;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    /** Runs one command; returns the exit status (0 done, 1 refused). */
    int run(Arguments a) {
        a.refuseOptionsOutside(OPTIONS.get(a.command()));
        ToolApprovals approvals = new DynamoDbToolApprovals(dynamoDb, policyTable, clock);
        String serverId = a.positional("server id");
        if (a.command().equals("set-tool-pinning")) {
            PinningMode mode;
            try {
                mode = PinningMode.of(a.positional("mode"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("mode must be off, warn or enforce");
            }
            a.requireAllUsed();
            approvals.setMode(serverId, mode);
            out.println("tool pinning of " + serverId + " set to " + mode.wireName());
            return 0;
        }
        UpstreamServer server = new DynamoDbUpstreamRegistry(dynamoDb, policyTable).find(serverId)
                .orElseThrow(() -> new PolicyAdminException.UnknownServerException(serverId));
        boolean oneTool = a.command().equals("diff-tool")
                || a.command().equals("approve-tool") && !a.option("--all", "false").equals("true");
        String tool = oneTool ? a.positional("tool") : null;
        String hash = a.command().equals("approve-tool") ? a.required("--hash") : null;
        a.requireAllUsed();
        ServerPins pins = approvals.read(serverId);
        Map<String, ToolDefinition> live;
        try {
            live = new UpstreamTools(secrets, Boolean.parseBoolean(a.option("--local-development", "false"))).list(server);
        } catch (BrokerException e) {
            err.println("admin: the tools of '" + serverId + "' could not be read from the upstream: " + e.code().reason()
                    + " (" + e.getMessage() + ")");
            return 1;
        }
        return switch (a.command()) {
            case "list-tools" -> {
                ToolPinListing.list(serverId, pins, live).forEach(out::println);
                yield 0;
            }
            case "diff-tool" -> {
                ToolDefinition definition = live.get(tool);
                if (definition == null) {
                    err.println("admin: the upstream does not list a tool '" + tool + "'");
                    yield 1;
                }
                ToolPinListing.diff(tool, pins, definition).forEach(out::println);
                yield 0;
            }
            default -> tool == null ? approveAll(approvals, serverId, pins, live, hash, approver(a))
                    : approveOne(approvals, serverId, pins, live.get(tool), tool, hash, approver(a));
        };
    }

    private int approveOne(ToolApprovals approvals, String serverId, ServerPins pins, ToolDefinition live, String tool,
                           String hash, String by) {
        if (live == null) {
            err.println("admin: the upstream does not list a tool '" + tool + "'; nothing approved");
            return 1;
        }
        if (!live.hash().equals(hash)) {
            err.println("admin: the upstream serves another definition of '" + tool + "' now (" + live.hash()
                    + "); nothing approved: look at it again with diff-tool");
            return 1;
        }
        if (pins.statusOf(live) == PinStatus.APPROVED) {
            out.println(tool + " is approved as it is");
            return 0;
        }
        return approve(approvals, serverId, pins, live, by) ? 0 : 1;
    }

    private int approveAll(ToolApprovals approvals, String serverId, ServerPins pins, Map<String, ToolDefinition> live,
                           String hash, String by) {
        String listing = ToolPinListing.listingHash(live);
        if (!listing.equals(hash)) {
            err.println("admin: the upstream lists other tools or definitions now (listing " + listing
                    + "); nothing approved: look at them again with list-tools");
            return 1;
        }
        int approved = 0;
        for (ToolDefinition definition : live.values()) {
            if (pins.statusOf(definition) != PinStatus.APPROVED) {
                if (!approve(approvals, serverId, pins, definition, by)) {
                    return 1;
                }
                approved++;
            }
        }
        out.println(approved + " tool definition(s) of " + serverId + " approved; " + (live.size() - approved)
                + " were approved already");
        return 0;
    }

    private boolean approve(ToolApprovals approvals, String serverId, ServerPins pins, ToolDefinition live, String by) {
        try {
            approvals.approve(serverId, new ApprovedTool(live, clock.instant(), by),
                    pins.approvedOf(live.name()).map(ApprovedTool::hash));
            out.println("approved " + live.name() + " " + live.hash());
            return true;
        } catch (ApprovalConflictException e) {
            err.println("admin: " + e.getMessage() + "; nothing approved for it: look at it again");
            return false;
        }
    }

    private String approver(Arguments a) {
        return a.option("--by", env.getOrDefault("USER", "admin-cli"));
    }
}
