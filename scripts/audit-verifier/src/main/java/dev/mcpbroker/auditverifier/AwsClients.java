package dev.mcpbroker.auditverifier;

import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The verifier's clients, each built on first use from the SDK's environment: a run that reads only the stream
 * needs no S3 or DynamoDB configuration.
 */
final class AwsClients implements AutoCloseable {

    private final Map<String, String> env;
    private KinesisClient kinesis;
    private S3Client s3;
    private DynamoDbClient dynamoDb;

    AwsClients(Map<String, String> env) {
        this.env = env;
    }

    synchronized KinesisClient kinesis() {
        if (kinesis == null) {
            kinesis = KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        }
        return kinesis;
    }

    /** Path-style addressing against an emulator endpoint, which serves no bucket host names. */
    synchronized S3Client s3() {
        if (s3 == null) {
            s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                    .forcePathStyle(env.containsKey("AWS_ENDPOINT_URL_S3")).build();
        }
        return s3;
    }

    synchronized DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        }
        return dynamoDb;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable client : new AutoCloseable[] {kinesis, s3, dynamoDb}) {
            if (client != null) {
                try {
                    client.close();
                } catch (Exception e) {
                    // closing at exit: nothing left to do about it
                }
            }
        }
    }
}
