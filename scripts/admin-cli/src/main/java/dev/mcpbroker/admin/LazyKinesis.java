package dev.mcpbroker.admin;

import java.util.function.Supplier;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The audit stream's client, built on first use: only {@code audit-redrive} needs Kinesis, and every other command
 * must work where no Kinesis endpoint or region is configured for it.
 */
final class LazyKinesis implements Supplier<KinesisClient>, AutoCloseable {

    private KinesisClient client;

    @Override
    public synchronized KinesisClient get() {
        if (client == null) {
            client = KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
