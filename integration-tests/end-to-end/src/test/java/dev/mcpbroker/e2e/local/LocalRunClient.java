package dev.mcpbroker.e2e.local;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The official MCP Java SDK client against a local run's endpoint, with the bearer token on every request and an
 * {@code Idempotency-Key} header on the calls made inside {@link #withIdempotencyKey}.
 */
final class LocalRunClient implements AutoCloseable {

    private final McpSyncClient client;
    private final AtomicReference<String> idempotencyKey = new AtomicReference<>();

    private LocalRunClient(URI endpoint, String token) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                .endpoint(endpoint.getPath())
                .httpRequestCustomizer((request, method, uri, body, context) -> {
                    request.header("Authorization", "Bearer " + token);
                    String key = idempotencyKey.get();
                    if (key != null) {
                        request.header("Idempotency-Key", key);
                    }
                })
                .build();
        this.client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation("local-run-test", "1.0")).build();
    }

    static LocalRunClient connect(URI endpoint, String token) {
        return new LocalRunClient(endpoint, token);
    }

    McpSyncClient client() {
        return client;
    }

    /** Runs {@code call} with {@code key} as the Idempotency-Key header of its requests. */
    <T> T withIdempotencyKey(String key, Supplier<T> call) {
        idempotencyKey.set(key);
        try {
            return call.get();
        } finally {
            idempotencyKey.set(null);
        }
    }

    @Override
    public void close() {
        client.closeGracefully();
    }
}
