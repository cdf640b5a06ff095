package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.sessiontable.SessionTable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

/**
 * The policy table: agent grants, tenant limits, the upstream registry and approved tool definitions. It is a table of its own, not
 * part of the state table, so the broker's role can be given read-only access to it while only the admin
 * tool may write. Items are told apart by key prefix:
 *
 * <ul>
 *   <li>{@code agent#<agentId>} / {@code grant}: {@code tenantId} S, {@code servers} M of serverId to
 *       M {@code {tools: L of S}} ({@code tools} absent = every tool), optional {@code ratePerSecond} N and
 *       {@code rateBurst} N</li>
 *   <li>{@code tenant#<tenantId>} / {@code limits}: {@code ratePerSecond} N, {@code rateBurst} N</li>
 *   <li>{@code server#<serverId>} / {@code registry}: {@code url} S, {@code authScheme} S, optional
 *       {@code secretId} S and {@code headerName} S, {@code connectTimeoutMs} N, {@code requestTimeoutMs} N,
 *       {@code killed} BOOL, optional {@code killedTools} SS, {@code updatedAt} N (epoch millis)</li>
 *   <li>{@code tools#<serverId>} / {@code pinning}: {@code mode} S ({@code off}, {@code warn}, {@code enforce}),
 *       {@code updatedAt} N; {@code tools#<serverId>} / {@code tool#<name>}: one approved tool definition,
 *       {@code toolName} S, {@code definition} S (canonical JSON), {@code hash} S (SHA-256, hex),
 *       {@code approvedAt} N, {@code approvedBy} S ({@link ToolApprovalItems}). The broker writes here only
 *       first-sight approvals (create-only), and its role may write no other partition.</li>
 * </ul>
 *
 * <p>No TTL: policy never expires by itself.
 */
public final class PolicyTable {

    /** Partition key: {@code <kind>#<id>}; the same key layout as the state table. */
    public static final String PARTITION_KEY = SessionTable.PARTITION_KEY;
    /** Sort key: the item's role within its partition. */
    public static final String SORT_KEY = SessionTable.SORT_KEY;

    private PolicyTable() {
    }

    /** The table as tests and the local run create it; the SAM template declares the same. */
    public static CreateTableRequest createTableRequest(String tableName) {
        return SessionTable.keyedTableRequest(tableName);
    }

    /** Creates the table where no template does it (tests, the local run). Idempotent. */
    public static void ensureTable(DynamoDbClient dynamoDb, String tableName) {
        try {
            dynamoDb.createTable(createTableRequest(tableName));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(tableName));
    }
}
