package dev.mcpbroker.function.priming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.auth.JwtAgentAuthenticator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Runs what every first request runs, against a {@link LoopbackFixture} only: the broker's JSON-RPC codec, bearer
 * token verification (a JWK Set fetched over HTTP, RS256 and ES256) with a {@link ThrowawayIssuer}, the AWS SDK
 * clients as the function builds them (signing, marshalling, the URL-connection HTTP client, unmarshalling, a
 * condition failure) for each DynamoDB operation the state adapters use and for Secrets Manager, the upstream
 * MCP client (a JSON answer and an event stream), and Lambda's HTTP handler ({@link HttpStackPriming}). A few rounds
 * each, so the first compilations happen too.
 */
final class Primer {

    /** An item with every attribute type the state adapters store. */
    static final String ITEM_JSON = "{\"pk\":{\"S\":\"priming#1\"},\"sk\":{\"S\":\"priming\"},\"version\":{\"N\":\"3\"},"
            + "\"active\":{\"BOOL\":true},\"chunk\":{\"B\":\"cHJpbWluZw==\"},\"tools\":{\"SS\":[\"a\",\"b\"]},"
            + "\"grant\":{\"M\":{\"tools\":{\"L\":[{\"S\":\"get_*\"}]},\"limit\":{\"N\":\"20\"}}},\"none\":{\"NULL\":true}}";
    private static final int ROUNDS = 3;
    private static final String TABLE = "priming";

    private final ObjectMapper mapper;
    private final JsonRpcCodec codec;
    private final AwsClients awsClients;
    private final String servedHost;

    /** @param servedHost a host name the broker serves, for the request through Lambda's HTTP handler */
    Primer(ObjectMapper mapper, JsonRpcCodec codec, AwsClients awsClients, String servedHost) {
        this.mapper = mapper;
        this.codec = codec;
        this.awsClients = awsClients;
        this.servedHost = servedHost;
    }

    /** What was primed and what not, and how long it took. */
    record Report(List<String> primed, Map<String, String> failed, long millis) {
    }

    /**
     * @param throughHandler whether to send a request through Lambda's HTTP handler too: only once Quarkus has
     *                       opened its virtual HTTP channel, which it does after the startup event (so before a
     *                       checkpoint, not during init)
     */
    Report prime(boolean throughHandler) {
        long start = System.nanoTime();
        List<String> primed = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        try (LoopbackFixture fixture = new LoopbackFixture(mapper)) {
            step("json-rpc", this::jsonRpc, primed, failed);
            step("jwt", () -> tokens(fixture), primed, failed);
            AwsClients loopback = awsClients.redirectedTo(fixture.uri(LoopbackFixture.AWS_PATH),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")));
            step("dynamodb", () -> dynamoDb(loopback), primed, failed);
            step("secretsmanager", () -> secretsManager(loopback), primed, failed);
            step("upstream-http", () -> upstream(fixture), primed, failed);
            if (throughHandler) {
                step("http-handler", () -> HttpStackPriming.metadataRequest(servedHost), primed, failed);
            }
        }
        return new Report(primed, failed, (System.nanoTime() - start) / 1_000_000);
    }

    private static void step(String name, Runnable step, List<String> primed, Map<String, String> failed) {
        try {
            step.run();
            primed.add(name);
        } catch (NotPrimed e) {
            failed.put(name, e.getMessage());
        } catch (RuntimeException e) {
            // the type only: a message might quote what priming sent
            failed.put(name, e.getClass().getSimpleName());
        }
    }

    /** A priming step that ran but did not get the answer it primes for; the message names only what went wrong. */
    static final class NotPrimed extends RuntimeException {
        NotPrimed(String message) {
            super(message, null, false, false);
        }
    }

    private void jsonRpc() {
        byte[] initialize = ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"priming\",\"version\":\"1\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] call = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_balance\","
                + "\"arguments\":{\"account\":\"alice\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < ROUNDS; i++) {
            codec.parse(initialize);
            codec.parse(call);
            ObjectNode result = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", i);
            result.putObject("result").putArray("content").addObject().put("type", "text").put("text", "primed");
            codec.write(result);
        }
    }

    private void tokens(LoopbackFixture fixture) {
        ThrowawayIssuer issuer = new ThrowawayIssuer();
        fixture.serveJwks(issuer.jwks());
        JwtAgentAuthenticator authenticator = new JwtAgentAuthenticator(
                ThrowawayIssuer.trustedAt(fixture.uri(LoopbackFixture.JWKS_PATH)));
        for (int i = 0; i < ROUNDS; i++) {
            authenticator.authenticate("Bearer " + issuer.token(true), ThrowawayIssuer.SERVER);
            authenticator.authenticate("Bearer " + issuer.token(false), ThrowawayIssuer.SERVER);
        }
    }

    private void dynamoDb(AwsClients loopback) {
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("priming#1"), "sk", AttributeValue.fromS("priming"));
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("priming#1"), "sk", AttributeValue.fromS("priming"),
                "version", AttributeValue.fromN("1"), "state", AttributeValue.fromS("active"));
        try (DynamoDbClient dynamoDb = loopback.dynamoDb()) {
            for (int i = 0; i < ROUNDS; i++) {
                dynamoDb.getItem(b -> b.tableName(TABLE).key(key).consistentRead(true));
                dynamoDb.putItem(b -> b.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", "pk"))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                dynamoDb.updateItem(b -> b.tableName(TABLE).key(key).updateExpression("SET #v = :v")
                        .conditionExpression("#v = :expected").expressionAttributeNames(Map.of("#v", "version"))
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("2"), ":expected", AttributeValue.fromN("1")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                dynamoDb.deleteItem(b -> b.tableName(TABLE).key(key).conditionExpression("attribute_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", "pk")));
                dynamoDb.query(b -> b.tableName(TABLE).keyConditionExpression("#pk = :pk").consistentRead(true)
                        .expressionAttributeNames(Map.of("#pk", "pk")).expressionAttributeValues(Map.of(":pk", key.get("pk"))));
                dynamoDb.transactWriteItems(b -> b.transactItems(
                        TransactWriteItem.builder().put(p -> p.tableName(TABLE).item(item)).build(),
                        TransactWriteItem.builder().update(u -> u.tableName(TABLE).key(key).updateExpression("SET #v = :v")
                                .expressionAttributeNames(Map.of("#v", "version"))
                                .expressionAttributeValues(Map.of(":v", AttributeValue.fromN("2")))).build()));
                try {
                    dynamoDb.putItem(b -> b.tableName(LoopbackFixture.CONDITION_FAILS_TABLE).item(item)
                            .conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", "pk"))
                            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                    throw new NotPrimed("no condition failure");
                } catch (ConditionalCheckFailedException expected) {
                    expected.item();
                }
            }
        }
    }

    private void secretsManager(AwsClients loopback) {
        try (SecretsManagerClient secrets = loopback.secretsManager()) {
            for (int i = 0; i < ROUNDS; i++) {
                secrets.getSecretValue(b -> b.secretId("priming"));
            }
        }
    }

    private void upstream(LoopbackFixture fixture) {
        HttpUpstreamClient client = new HttpUpstreamClient(mapper, 1 << 20);
        UpstreamServer server = new UpstreamServer("priming", fixture.uri(LoopbackFixture.MCP_PATH), Duration.ofSeconds(2),
                Duration.ofSeconds(5));
        for (int i = 0; i < ROUNDS; i++) {
            ObjectNode initialize = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", 0).put("method", "initialize");
            initialize.putObject("params").put("protocolVersion", "2025-11-25").putObject("capabilities");
            String session = client.send(server, new UpstreamCall(initialize, null, null, Map.of()))
                    .upstreamSessionId().orElseThrow();
            ObjectNode call = mapper.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", "tools/call");
            call.putObject("params").put("name", "get_balance").putObject("arguments").put("account", "alice");
            client.send(server, new UpstreamCall(call, session, "2025-11-25", Map.of())).response().orElseThrow();
        }
    }
}
