package dev.mcpbroker.sessiontable;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/**
 * The broker's state table: one table, items told apart by key prefix ({@code session#}, {@code lease#},
 * {@code warm#}, {@code ratelimit#}, {@code task#}, {@code idempotency#}, {@code audit#}).
 * {@code infra/template.yaml} declares the same key schema, index and TTL attribute; a test holds the two together.
 */
public final class SessionTable {

    /** Partition key: {@code <kind>#<id>}. */
    public static final String PARTITION_KEY = "pk";
    /** Sort key: the item's role within its partition. */
    public static final String SORT_KEY = "sk";
    /** Epoch seconds after which DynamoDB may delete the item. Reads check expiry themselves: deletion lags. */
    public static final String TTL_ATTRIBUTE = "expiresAt";
    /**
     * What the table's stream carries: the new image of each changed item, which for an audit event item holds its
     * canonical JSON, all the audit forwarder needs.
     */
    public static final StreamViewType STREAM_VIEW_TYPE = StreamViewType.NEW_IMAGE;

    /**
     * Set on an audit outbox event while it is undelivered (its chain's partition key) and removed when it is marked
     * delivered: the key of the sparse index {@link #UNDELIVERED_INDEX}, which therefore holds nothing else.
     */
    public static final String UNDELIVERED_ATTRIBUTE = "undeliveredChain";

    /**
     * Sparse index of undelivered audit events (keys only), so a re-drive finds them without reading the table:
     * partition key {@link #UNDELIVERED_ATTRIBUTE} (one partition per chain, so appends spread like the table's),
     * sort key {@link #SORT_KEY}.
     */
    public static final String UNDELIVERED_INDEX = "audit-undelivered";

    private SessionTable() {
    }

    /** The sparse index of undelivered audit events, as tests, the local run and the template declare it. */
    public static GlobalSecondaryIndex undeliveredIndex() {
        return GlobalSecondaryIndex.builder()
                .indexName(UNDELIVERED_INDEX)
                .keySchema(
                        KeySchemaElement.builder().attributeName(UNDELIVERED_ATTRIBUTE).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build())
                .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                .build();
    }

    /**
     * The table as tests create it: the SAM template's keys and index, without the stream (see
     * {@link #createTableWithStreamRequest}), which no test of the broker itself reads.
     */
    public static CreateTableRequest createTableRequest(String tableName) {
        CreateTableRequest keys = keyedTableRequest(tableName);
        List<AttributeDefinition> attributes = new java.util.ArrayList<>(keys.attributeDefinitions());
        attributes.add(AttributeDefinition.builder().attributeName(UNDELIVERED_ATTRIBUTE).attributeType(ScalarAttributeType.S).build());
        return keys.toBuilder().attributeDefinitions(attributes).globalSecondaryIndexes(undeliveredIndex()).build();
    }

    /** A pay-per-request table with this layout's string keys and nothing else (the policy table's shape too). */
    public static CreateTableRequest keyedTableRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PARTITION_KEY).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SORT_KEY).attributeType(ScalarAttributeType.S).build())
                .keySchema(List.of(
                        KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build()))
                .build();
    }

    /** The table as the SAM template declares it, stream included: what the local run and its audit forwarder use. */
    public static CreateTableRequest createTableWithStreamRequest(String tableName) {
        return createTableRequest(tableName).toBuilder()
                .streamSpecification(StreamSpecification.builder().streamEnabled(true).streamViewType(STREAM_VIEW_TYPE).build())
                .build();
    }

    public static UpdateTimeToLiveRequest enableTtlRequest(String tableName) {
        return UpdateTimeToLiveRequest.builder()
                .tableName(tableName)
                .timeToLiveSpecification(TimeToLiveSpecification.builder()
                        .attributeName(TTL_ATTRIBUTE).enabled(true).build())
                .build();
    }
}
