package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.contract.VirtualServerRegistryContract;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;

/** Virtual servers against the local DynamoDB, held to the port's contract; upstreams registered as the admin tool does. */
class DynamoDbVirtualServerRegistryContractTest extends VirtualServerRegistryContract {

    private static final String TABLE = "virtual-server-contract-test";
    private static PolicyAdmin admin;
    private static DynamoDbVirtualServerRegistry registry;

    @BeforeAll
    static void table() {
        AwsEnvironment aws = AwsEnvironment.shared();
        PolicyTable.ensureTable(aws.dynamoDb(), TABLE);
        admin = new PolicyAdmin(aws.dynamoDb(), TABLE);
        registry = new DynamoDbVirtualServerRegistry(aws.dynamoDb(), TABLE);
    }

    @Override
    protected VirtualServerRegistry registry() {
        return registry;
    }

    @Override
    protected void registerUpstream(String serverId) {
        admin.registerServer(serverId, URI.create("https://" + serverId + ".example/mcp"), UpstreamAuth.NONE,
                Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
