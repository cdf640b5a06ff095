package dev.mcpbroker.e2e;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.customizer.McpSyncHttpClientRequestCustomizer;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;

/** Agents on the official Java SDK's Streamable HTTP client, unchanged but for the headers a test adds. */
final class JavaSdkAgents {

    private JavaSdkAgents() {
    }

    /** A client of {@code endpoint} that sends {@code authorization} on every request. */
    static McpSyncClient connect(URI endpoint, String authorization, String clientName) {
        return connect(endpoint, clientName, (request, method, uri, body, context) -> request.header("Authorization", authorization));
    }

    /** A client of {@code endpoint} whose every request passes through {@code customizer} (headers, counting). */
    static McpSyncClient connect(URI endpoint, String clientName, McpSyncHttpClientRequestCustomizer customizer) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(endpoint.getScheme() + "://" + endpoint.getAuthority())
                .endpoint(endpoint.getPath())
                .httpRequestCustomizer(customizer)
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation(clientName, "1.0"))
                .build();
    }
}
