package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.contract.UpstreamRegistryContract;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The upstream registry against the local DynamoDB, held to the port's contract; a server is registered the way the
 * admin tool does it, one {@link PolicyAdmin} call per part of its entry.
 */
class DynamoDbUpstreamRegistryContractTest extends UpstreamRegistryContract {

    private static final String TABLE = "upstream-registry-contract-test";
    private static PolicyAdmin admin;
    private static DynamoDbUpstreamRegistry registry;

    @BeforeAll
    static void table() {
        AwsEnvironment aws = AwsEnvironment.shared();
        PolicyTable.ensureTable(aws.dynamoDb(), TABLE);
        admin = new PolicyAdmin(aws.dynamoDb(), TABLE);
        registry = new DynamoDbUpstreamRegistry(aws.dynamoDb(), TABLE);
    }

    @Override
    protected UpstreamRegistry registry() {
        return registry;
    }

    @Override
    protected void register(UpstreamServer server) {
        String id = server.id();
        admin.registerServer(id, server.endpoint(), server.auth(), server.connectTimeout(), server.requestTimeout());
        if (server.controls().killed()) {
            admin.killServer(id);
        }
        server.controls().killedTools().forEach(tool -> admin.killTool(id, tool));
        server.controls().killedResources().forEach(resource -> admin.killResource(id, resource, true));
        server.controls().killedPrompts().forEach(prompt -> admin.killPrompt(id, prompt, true));
        server.toolPolicy().readOnlyTools().forEach(tool -> admin.setToolKind(id, tool, PolicyAdmin.ToolKind.READ_ONLY));
        server.toolPolicy().stateChangingTools().forEach(tool -> admin.setToolKind(id, tool, PolicyAdmin.ToolKind.STATE_CHANGING));
        server.toolPolicy().requireIdempotencyKey().ifPresent(require -> admin.setKeyPolicy(id, require));
        server.declaredGeneration().ifPresent(generation -> admin.setGeneration(id, Optional.of(generation)));
        if (!server.sessionLimits().equals(SessionLimits.DEFAULT)) {
            admin.setSessionLimits(id, server.sessionLimits());
            admin.setSessionShares(id, server.sessionLimits().maxSessionsPerTenant(),
                    server.sessionLimits().maxSessionsPerAgent());
        }
    }
}
