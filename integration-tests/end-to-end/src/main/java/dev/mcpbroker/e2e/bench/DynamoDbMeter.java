package dev.mcpbroker.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback HTTP proxy in front of DynamoDB that meters what a function process asks of it: requests per operation
 * ({@code X-Amz-Target}), the capacity units DynamoDB reports for each, of which those of indexes (the proxy adds
 * {@code ReturnConsumedCapacity=INDEXES} to item operations; DynamoDB Local accounts them as DynamoDB does: 4 KB per
 * read unit, strongly consistent; 1 KB per write unit, twice for transactions), condition failures, and the audit
 * events written (items whose sort key starts {@code event#}). The function sees DynamoDB's answers unchanged
 * apart from the consumed capacity they now report.
 */
final class DynamoDbMeter implements AutoCloseable {

    private static final Set<String> ITEM_OPERATIONS = Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
            "TransactWriteItems", "TransactGetItems", "BatchGetItem", "BatchWriteItem");
    private static final Set<String> READS = Set.of("GetItem", "Query", "TransactGetItems", "BatchGetItem", "Scan");
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final ObjectMapper json = new ObjectMapper();
    private final URI target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final DoubleAdder readUnits = new DoubleAdder();
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final DoubleAdder indexWriteUnits = new DoubleAdder();
    private final LongAdder conditionFailures = new LongAdder();
    private final LongAdder auditEvents = new LongAdder();
    private final LongAdder auditEventBytes = new LongAdder();

    DynamoDbMeter(URI target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::forward);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** What was metered since the last reset. */
    record Reading(Map<String, Long> requests, double readUnits, double writeUnits, double indexWriteUnits,
                   long conditionFailures, long auditEvents, long auditEventBytes) {
    }

    Reading readAndReset() {
        Map<String, Long> counted = new TreeMap<>();
        requests.forEach((operation, count) -> {
            long n = count.sumThenReset();
            if (n > 0) {
                counted.put(operation, n);
            }
        });
        return new Reading(counted, readUnits.sumThenReset(), writeUnits.sumThenReset(), indexWriteUnits.sumThenReset(),
                conditionFailures.sumThenReset(),
                auditEvents.sumThenReset(), auditEventBytes.sumThenReset());
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String amzTarget = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            String operation = amzTarget.substring(amzTarget.indexOf('.') + 1);
            requests.computeIfAbsent(operation, o -> new LongAdder()).increment();
            if (ITEM_OPERATIONS.contains(operation)) {
                ObjectNode request = (ObjectNode) json.readTree(body);
                request.findValues("Item").stream().filter(DynamoDbMeter::isAuditEvent).forEach(item -> {
                    auditEvents.increment();
                    auditEventBytes.add(item.toString().length());
                });
                request.put("ReturnConsumedCapacity", "INDEXES");
                body = json.writeValueAsBytes(request);
            }
            HttpRequest.Builder out = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getPath()))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                    values.forEach(value -> out.header(name, value));
                }
            });
            HttpResponse<byte[]> response = http.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
            meter(operation, response);
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.equalsIgnoreCase("transfer-encoding")
                        && !name.equalsIgnoreCase("x-amz-crc32") && !name.startsWith(":")) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void meter(String operation, HttpResponse<byte[]> response) throws IOException {
        JsonNode answer = response.body().length == 0 ? json.nullNode() : json.readTree(response.body());
        if (response.statusCode() != 200) {
            if (answer.path("__type").asText().endsWith("ConditionalCheckFailedException")
                    || answer.path("__type").asText().endsWith("TransactionCanceledException")) {
                conditionFailures.increment();
                // DynamoDB charges a failed conditional write the units of the write; reported as one unit here
                writeUnits.add(1);
            }
            return;
        }
        double units = 0;
        double indexUnits = 0;
        for (JsonNode capacity : answer.path("ConsumedCapacity").isArray() ? answer.path("ConsumedCapacity")
                : json.createArrayNode().add(answer.path("ConsumedCapacity"))) {
            units += capacity.path("CapacityUnits").asDouble(0);
            for (JsonNode index : capacity.path("GlobalSecondaryIndexes")) {
                indexUnits += index.path("CapacityUnits").asDouble(0);
            }
        }
        if (READS.contains(operation)) {
            readUnits.add(units);
        } else {
            writeUnits.add(units);
            indexWriteUnits.add(indexUnits);
        }
    }

    private static boolean isAuditEvent(JsonNode item) {
        for (JsonNode value : item) {
            if (value.path("S").asText().startsWith("event#")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
