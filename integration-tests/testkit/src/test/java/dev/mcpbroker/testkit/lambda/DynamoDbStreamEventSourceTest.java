package dev.mcpbroker.testkit.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** The event source mapping against DynamoDB Local's Streams API, with a recording function. */
class DynamoDbStreamEventSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventFilter AUDIT_EVENTS = EventFilter.of(List.of(
            "{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"Keys\":{\"sk\":{\"S\":[{\"prefix\":\"event#\"}]}}}}"));

    private final AwsEnvironment aws = AwsEnvironment.shared();
    private final DynamoDbClient dynamoDb = aws.dynamoDb();
    private final List<JsonNode> invocations = new CopyOnWriteArrayList<>();
    private String table;
    private String streamArn;
    private DynamoDbStreamEventSource source;

    @BeforeEach
    void table() {
        table = "stream-" + UUID.randomUUID();
        dynamoDb.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType("S").build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
        streamArn = dynamoDb.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
    }

    private void put(String pk, String sk) {
        dynamoDb.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk),
                "event", AttributeValue.fromS("{\"sk\":\"" + sk + "\"}"), "delivered", AttributeValue.fromBool(false))));
    }

    private void events(int count) {
        IntStream.rangeClosed(1, count).forEach(i -> put("audit#s1", "event#" + i));
    }

    private void start(int batchSize, int retries, Function<JsonNode, JsonNode> answer) {
        source = DynamoDbStreamEventSource.start("test", aws.dynamoDbStreams(), streamArn, event -> {
            JsonNode parsed = parse(event);
            invocations.add(parsed);
            return answer.apply(parsed);
        }, new DynamoDbStreamEventSource.Settings(batchSize, ShardIteratorType.TRIM_HORIZON, AUDIT_EVENTS, retries,
                Duration.ofMillis(50)));
    }

    private static JsonNode parse(byte[] event) {
        try {
            return JSON.readTree(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode ok() {
        return JSON.createObjectNode().putArray("batchItemFailures");
    }

    private static List<String> sortKeys(JsonNode event) {
        List<String> keys = new ArrayList<>();
        event.path("Records").forEach(r -> keys.add(r.path("dynamodb").path("Keys").path("sk").path("S").asText()));
        return keys;
    }

    private List<String> allSortKeys() {
        return invocations.stream().flatMap(e -> sortKeys(e).stream()).toList();
    }

    private static List<String> eventKeys(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "event#" + i).toList();
    }

    @Test
    void deliversOnlyNewEventItemsInWriteOrderInBatchesOfAtMostTheBatchSize() {
        events(4);
        put("audit#s1", "head");
        start(3, 10, event -> ok());
        dynamoDb.updateItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("audit#s1"),
                "sk", AttributeValue.fromS("event#1"))).updateExpression("SET delivered = :t")
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true))));
        IntStream.rangeClosed(5, 7).forEach(i -> put("audit#s1", "event#" + i));

        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 7);
        assertThat(allSortKeys()).isEqualTo(eventKeys(1, 7));
        assertThat(invocations).allSatisfy(event -> assertThat(event.path("Records").size()).isBetween(1, 3));
        JsonNode first = invocations.getFirst().path("Records").get(0);
        assertThat(first.path("eventName").asText()).isEqualTo("INSERT");
        assertThat(first.path("eventSourceARN").asText()).isEqualTo(streamArn);
        assertThat(first.path("dynamodb").path("NewImage").path("event").path("S").asText()).isEqualTo("{\"sk\":\"event#1\"}");
        assertThat(first.path("dynamodb").path("NewImage").path("delivered").path("BOOL").asBoolean(true)).isFalse();
        assertThat(first.path("dynamodb").path("SequenceNumber").asText()).isNotEmpty();
    }

    @Test
    void aRecordTheFunctionReportsFailedIsOfferedAgainWithEveryLaterOneInOrder() {
        events(5);
        start(10, 10, event -> {
            if (invocations.size() > 1) {
                return ok();
            }
            String third = event.path("Records").get(2).path("dynamodb").path("SequenceNumber").asText();
            String fifth = event.path("Records").get(4).path("dynamodb").path("SequenceNumber").asText();
            var answer = JSON.createObjectNode();
            answer.putArray("batchItemFailures").add(JSON.createObjectNode().put("itemIdentifier", fifth))
                    .add(JSON.createObjectNode().put("itemIdentifier", third));
            return answer;
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 5);
        assertThat(invocations).hasSize(2);
        assertThat(sortKeys(invocations.get(0))).isEqualTo(eventKeys(1, 5));
        assertThat(sortKeys(invocations.get(1))).as("from the first failed record on").isEqualTo(eventKeys(3, 5));
    }

    @Test
    void aFailedInvocationOffersTheWholeBatchAgain() {
        events(3);
        start(10, 10, event -> {
            if (invocations.size() == 1) {
                throw new LambdaRuntimeApi.FunctionError(LambdaRuntimeApi.FunctionError.Kind.ERROR, "boom");
            }
            return ok();
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 3);
        assertThat(invocations).hasSize(2);
        assertThat(sortKeys(invocations.get(1))).isEqualTo(sortKeys(invocations.get(0))).isEqualTo(eventKeys(1, 3));
    }

    @Test
    void anAnswerNamingNoRecordOfTheBatchFailsTheWholeBatch() {
        events(2);
        start(10, 10, event -> invocations.size() > 1 ? ok()
                : JSON.createObjectNode().set("batchItemFailures", JSON.createArrayNode().add(
                        JSON.createObjectNode().put("itemIdentifier", "not-a-sequence-number"))));

        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 2);
        assertThat(sortKeys(invocations.get(1))).isEqualTo(eventKeys(1, 2));
    }

    @Test
    void whenRetriesAreExhaustedTheBatchIsDiscardedAndLaterRecordsFlow() {
        events(2);
        start(1, 1, event -> {
            if (sortKeys(event).equals(List.of("event#1"))) {
                throw new LambdaRuntimeApi.FunctionError(LambdaRuntimeApi.FunctionError.Kind.TIMEOUT, "slow");
            }
            return ok();
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 1);
        assertThat(allSortKeys()).as("one try, one retry, then the next record").containsExactly("event#1", "event#1", "event#2");
    }

    @Test
    void closingStopsTheMapping() {
        start(10, 10, event -> ok());
        events(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> source.delivered() == 1);

        source.close();

        assertThat(source.running()).isFalse();
    }
}
