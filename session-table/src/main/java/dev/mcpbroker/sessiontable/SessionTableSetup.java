package dev.mcpbroker.sessiontable;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;

/**
 * Creates the state table, with its index of undelivered audit events, where no template does it (tests, the local
 * run). Idempotent: an existing table is left as it is.
 */
public final class SessionTableSetup {

    private SessionTableSetup() {
    }

    public static void ensureTable(DynamoDbClient dynamoDb, String tableName) {
        ensure(dynamoDb, SessionTable.createTableRequest(tableName));
    }

    /** The table with its stream, as the SAM template declares it; an existing table is left as it is. */
    public static void ensureTableWithStream(DynamoDbClient dynamoDb, String tableName) {
        ensure(dynamoDb, SessionTable.createTableWithStreamRequest(tableName));
    }

    private static void ensure(DynamoDbClient dynamoDb, CreateTableRequest request) {
        String tableName = request.tableName();
        try {
            dynamoDb.createTable(request);
        } catch (ResourceInUseException alreadyThere) {
            return;
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        dynamoDb.updateTimeToLive(SessionTable.enableTtlRequest(tableName));
    }
}
