package dev.mcpbroker.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The benchmark's proxy forwards DynamoDB requests unchanged and counts them by operation. */
class CountingHttpProxyTest {

    @Test
    void requestsThroughTheProxyAreAnsweredAndCountedByOperation() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), "proxy-test");
        try (CountingHttpProxy proxy = CountingHttpProxy.to(aws.dynamoDbEndpoint())) {
            try (DynamoDbClient client = DynamoDbClient.builder().endpointOverride(proxy.endpoint()).region(aws.region())
                    .credentialsProvider(aws.credentials())
                    .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build()) {
                Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("proxy#1"), "sk", AttributeValue.fromS("x"));
                client.putItem(b -> b.tableName("proxy-test").item(key));
                assertThat(client.getItem(b -> b.tableName("proxy-test").key(key).consistentRead(true)).item()).isEqualTo(key);
            }
            assertThat(proxy.counts()).containsEntry("PutItem", 1L).containsEntry("GetItem", 1L);
        }
    }
}
