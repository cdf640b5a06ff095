package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * DynamoDB Streams records as Lambda hands them to a function: {@code {"Records": [...]}}, each record with
 * {@code eventID}, {@code eventName}, {@code eventSourceARN} and a {@code dynamodb} object whose images are in
 * DynamoDB's JSON ({@code {"S": "..."}}). Filter patterns are matched against the same shape.
 */
public final class DynamoDbStreamEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DynamoDbStreamEvents() {
    }

    /** One record of the event, as read from the stream {@code streamArn}. */
    public static ObjectNode record(Record record, String streamArn) {
        ObjectNode json = JSON.createObjectNode()
                .put("eventID", record.eventID())
                .put("eventName", record.eventNameAsString())
                .put("eventVersion", record.eventVersion())
                .put("eventSource", record.eventSource())
                .put("awsRegion", record.awsRegion());
        StreamRecord change = record.dynamodb();
        ObjectNode dynamodb = json.putObject("dynamodb");
        if (change.approximateCreationDateTime() != null) {
            // Lambda sends epoch seconds as a number
            dynamodb.put("ApproximateCreationDateTime", change.approximateCreationDateTime().getEpochSecond());
        }
        putImage(dynamodb, "Keys", change.keys());
        putImage(dynamodb, "NewImage", change.newImage());
        putImage(dynamodb, "OldImage", change.oldImage());
        dynamodb.put("SequenceNumber", change.sequenceNumber());
        if (change.sizeBytes() != null) {
            dynamodb.put("SizeBytes", change.sizeBytes());
        }
        dynamodb.put("StreamViewType", change.streamViewTypeAsString());
        json.put("eventSourceARN", streamArn);
        return json;
    }

    /** The event of a batch of records (already converted by {@link #record}). */
    public static ObjectNode event(List<ObjectNode> records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        records.forEach(array::add);
        return event;
    }

    private static void putImage(ObjectNode parent, String name, Map<String, AttributeValue> image) {
        if (image != null && !image.isEmpty()) {
            ObjectNode json = parent.putObject(name);
            image.forEach((attribute, value) -> json.set(attribute, value(value)));
        }
    }

    private static ObjectNode value(AttributeValue value) {
        ObjectNode json = JSON.createObjectNode();
        switch (value.type()) {
            case S -> json.put("S", value.s());
            case N -> json.put("N", value.n());
            case B -> json.put("B", base64(value.b()));
            case BOOL -> json.put("BOOL", value.bool());
            case NUL -> json.put("NULL", true);
            case SS -> value.ss().forEach(json.putArray("SS")::add);
            case NS -> value.ns().forEach(json.putArray("NS")::add);
            case BS -> {
                ArrayNode set = json.putArray("BS");
                value.bs().forEach(bytes -> set.add(base64(bytes)));
            }
            case M -> {
                ObjectNode map = json.putObject("M");
                value.m().forEach((key, member) -> map.set(key, value(member)));
            }
            case L -> {
                ArrayNode list = json.putArray("L");
                value.l().forEach(member -> list.add(value(member)));
            }
            default -> throw new IllegalArgumentException("unknown attribute value type " + value.type());
        }
        return json;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }
}
