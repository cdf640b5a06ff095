package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.mcp.McpHeaders;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link UpstreamClient} on the JDK HTTP client. Failures are classified by how far the exchange got:
 * before a connection exists nothing can have executed; after the request was sent, anything short of
 * a complete response leaves the outcome unknown.
 */
public final class HttpUpstreamClient implements UpstreamClient {

    private static final String ACCEPT_BOTH = McpHeaders.APPLICATION_JSON + ", " + McpHeaders.TEXT_EVENT_STREAM;

    /** How much of an HTTP error body is read to classify it. */
    private static final int ERROR_TEXT_BYTES = 4096;

    private final ObjectMapper mapper;
    private final long maxResponseBytes;
    /** The JDK client fixes the connect timeout per client, so there is one client per timeout value. */
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    public HttpUpstreamClient(ObjectMapper mapper, long maxResponseBytes) {
        this.mapper = mapper;
        this.maxResponseBytes = maxResponseBytes;
    }

    @Override
    public UpstreamReply send(UpstreamServer server, UpstreamCall call) {
        JsonNode expectedId = call.message().has("method") ? call.message().get("id") : null;
        HttpRequest.Builder request = HttpRequest.newBuilder(server.endpoint())
                .timeout(server.requestTimeout())
                .header("Content-Type", McpHeaders.APPLICATION_JSON)
                .header("Accept", ACCEPT_BOTH)
                .POST(HttpRequest.BodyPublishers.ofByteArray(write(call)));
        if (call.upstreamSessionId() != null) {
            request.header(McpHeaders.SESSION_ID, call.upstreamSessionId());
        }
        if (call.protocolVersion() != null) {
            request.header(McpHeaders.PROTOCOL_VERSION, call.protocolVersion());
        }
        call.headers().forEach(request::header);

        CompletableFuture<HttpResponse<UpstreamBodySubscriber.Body>> exchange = client(server)
                .sendAsync(request.build(), info -> subscriberFor(info, expectedId));
        HttpResponse<UpstreamBodySubscriber.Body> response = await(exchange, server.requestTimeout());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            UpstreamBodySubscriber.Body body = response.body();
            return new UpstreamReply(status, response.headers().firstValue(McpHeaders.SESSION_ID),
                    Optional.ofNullable(body.response()), body.relayed(), response.headers().allValues("Set-Cookie"));
        }
        throw httpFailure(status, response.headers(), response.body().errorText(), call.upstreamSessionId() != null);
    }

    @Override
    public void terminate(UpstreamServer server, String upstreamSessionId, String protocolVersion, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.endpoint())
                .timeout(server.requestTimeout())
                .header(McpHeaders.SESSION_ID, upstreamSessionId)
                .DELETE();
        if (protocolVersion != null) {
            request.header(McpHeaders.PROTOCOL_VERSION, protocolVersion);
        }
        headers.forEach(request::header);
        try {
            client(server).send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw classifyIo(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.NO_RESPONSE, "interrupted while ending the upstream session", e);
        }
    }

    private HttpResponse.BodySubscriber<UpstreamBodySubscriber.Body> subscriberFor(HttpResponse.ResponseInfo info,
                                                                                   JsonNode expectedId) {
        if (info.statusCode() < 200 || info.statusCode() >= 300) {
            // Only the start of an error body is read: enough to tell "session not found", never large.
            return HttpResponse.BodySubscribers.mapping(new BoundedTextSubscriber(ERROR_TEXT_BYTES),
                    UpstreamBodySubscriber.Body::error);
        }
        String contentType = info.headers().firstValue("Content-Type").orElse("");
        boolean eventStream = contentType.regionMatches(true, 0, McpHeaders.TEXT_EVENT_STREAM, 0,
                McpHeaders.TEXT_EVENT_STREAM.length());
        return new UpstreamBodySubscriber(mapper, expectedId, eventStream, maxResponseBytes);
    }

    private static HttpResponse<UpstreamBodySubscriber.Body> await(
            CompletableFuture<HttpResponse<UpstreamBodySubscriber.Body>> exchange, Duration timeout) {
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new UpstreamException(UpstreamException.Kind.NO_RESPONSE,
                    "no complete upstream answer within " + timeout, null);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.NO_RESPONSE, "interrupted while waiting for the upstream", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UpstreamException upstream) {
                throw upstream;
            }
            if (cause instanceof IOException io) {
                throw classifyIo(io);
            }
            if (cause instanceof UnresolvedAddressException) {
                throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "upstream host cannot be resolved", cause);
            }
            throw new UpstreamException(UpstreamException.Kind.NO_RESPONSE, "upstream exchange failed", cause);
        }
    }

    /** Only a failure to connect proves the request never left; every other I/O failure may follow delivery. */
    private static UpstreamException classifyIo(IOException e) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
                    || cause instanceof UnresolvedAddressException) {
                return new UpstreamException(UpstreamException.Kind.UNREACHABLE, "upstream could not be reached", e);
            }
            cause = cause.getCause();
        }
        return new UpstreamException(UpstreamException.Kind.NO_RESPONSE, "upstream connection failed", e);
    }

    private static UpstreamException httpFailure(int status, HttpHeaders headers, String errorText, boolean hadSession) {
        Duration retryAfter = headers.firstValue("Retry-After").flatMap(HttpUpstreamClient::seconds).orElse(null);
        if (hadSession && UpstreamSessionSignals.sessionGone(status, errorText)) {
            return new UpstreamException(UpstreamException.Kind.SESSION_GONE, status, "upstream session is gone", null, null);
        }
        if (status == 429) {
            return new UpstreamException(UpstreamException.Kind.THROTTLED, status, "upstream is throttling", retryAfter, null);
        }
        if (status >= 500) {
            return new UpstreamException(UpstreamException.Kind.SERVER_ERROR, status, "upstream answered HTTP " + status, retryAfter, null);
        }
        return new UpstreamException(UpstreamException.Kind.REJECTED, status, "upstream answered HTTP " + status, null, null);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private byte[] write(UpstreamCall call) {
        try {
            return mapper.writeValueAsBytes(call.message());
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree could not be serialised", e);
        }
    }

    private HttpClient client(UpstreamServer server) {
        return clients.computeIfAbsent(server.connectTimeout(), timeout -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
    }
}
