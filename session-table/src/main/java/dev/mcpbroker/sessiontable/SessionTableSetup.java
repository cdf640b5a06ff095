package dev.mcpbroker.sessiontable;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

/**
 * Creates the state table, with its index of undelivered audit events, where no template does it (tests, the local
 * run). Idempotent: an existing table is left as it is.
 */
public final class SessionTableSetup {

    private SessionTableSetup() {
    }

    public static void ensureTable(DynamoDbClient dynamoDb, String tableName) {
        try {
            dynamoDb.createTable(SessionTable.createTableRequest(tableName));
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        dynamoDb.updateTimeToLive(SessionTable.enableTtlRequest(tableName));
    }
}
