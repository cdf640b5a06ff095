package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethods;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    /** Ten seconds: well inside API Gateway's 29 s integration timeout. */
    public static final Duration DEFAULT_LISTEN_WINDOW = Duration.ofSeconds(10);
    private final Duration listenWindow;

    public HttpUpstreamClient(ObjectMapper mapper, long maxResponseBytes) {
        this(mapper, maxResponseBytes, DEFAULT_LISTEN_WINDOW);
    }

    /**
     * @param listenWindow how long a {@code subscriptions/listen} stream is read before the broker closes it and
     *                     answers with what arrived: a request cannot hold a stream open longer than its integration
     */
    public HttpUpstreamClient(ObjectMapper mapper, long maxResponseBytes, Duration listenWindow) {
        this.mapper = mapper;
        this.maxResponseBytes = maxResponseBytes;
        this.listenWindow = listenWindow;
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

        AtomicReference<UpstreamBodySubscriber> reading = new AtomicReference<>();
        boolean listen = McpMethods.SUBSCRIPTIONS_LISTEN.equals(call.message().path("method").asText(null));
        CompletableFuture<HttpResponse<UpstreamBodySubscriber.Body>> exchange = client(server)
                .sendAsync(request.build(), info -> subscriberFor(info, expectedId, listen, reading));
        HttpResponse<UpstreamBodySubscriber.Body> response = listen
                ? awaitWindow(exchange, reading, server.requestTimeout())
                : await(exchange, server.requestTimeout());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            UpstreamBodySubscriber.Body body = response.body();
            ObjectNode answer = body.response() == null && listen && expectedId != null ? listenEnded(expectedId) : body.response();
            return new UpstreamReply(status, response.headers().firstValue(McpHeaders.SESSION_ID),
                    Optional.ofNullable(answer), body.relayed(), response.headers().allValues("Set-Cookie"));
        }
        String errorText = response.body().errorText();
        boolean hadSession = call.upstreamSessionId() != null;
        Optional<ObjectNode> errorResponse = jsonRpcError(status, errorText, expectedId);
        if (errorResponse.isPresent() && !(hadSession && UpstreamSessionSignals.sessionGone(status, errorText))) {
            // A stateless (2026-07-28) server answers a JSON-RPC error with an HTTP error status: it is the answer.
            return new UpstreamReply(status, Optional.empty(), errorResponse, List.of(), response.headers().allValues("Set-Cookie"));
        }
        throw httpFailure(status, response.headers(), errorText, hadSession);
    }

    /** The JSON-RPC error an HTTP 4xx answer carries for the request, if it is one (never for 401 or 429). */
    private Optional<ObjectNode> jsonRpcError(int status, String errorText, JsonNode expectedId) {
        if (status < 400 || status >= 500 || status == 401 || status == 429 || errorText == null || expectedId == null) {
            return Optional.empty();
        }
        try {
            JsonNode body = mapper.readTree(errorText);
            if (body instanceof ObjectNode error && error.has("error") && error.path("error").path("code").isIntegralNumber()
                    && expectedId.equals(error.get("id"))) {
                return Optional.of(error);
            }
        } catch (IOException notJson) {
            // not a JSON-RPC answer: classified by its status below
        }
        return Optional.empty();
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

    /**
     * A subscription's stream, read until the upstream acknowledges it, for the listen window at most (or until the
     * upstream ends it): then closed, keeping what arrived. A request cannot hold the stream open; the agent listens
     * again. Headers that do not arrive within the request timeout fail as any request.
     */
    private HttpResponse<UpstreamBodySubscriber.Body> awaitWindow(
            CompletableFuture<HttpResponse<UpstreamBodySubscriber.Body>> exchange,
            AtomicReference<UpstreamBodySubscriber> reading, Duration timeout) {
        try {
            return exchange.get(Math.min(listenWindow.toMillis(), timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException windowOver) {
            UpstreamBodySubscriber subscriber = reading.get();
            if (subscriber != null) {
                subscriber.closeWindow();
            }
            return await(exchange, timeout);
        } catch (InterruptedException | ExecutionException e) {
            return await(exchange, timeout);
        }
    }

    /** The graceful end of a subscription the broker closed: a complete result tagged with the subscription. */
    private ObjectNode listenEnded(JsonNode requestId) {
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", requestId);
        ObjectNode result = response.putObject("result").put(McpMeta.RESULT_TYPE, McpMeta.COMPLETE);
        result.putObject(McpMeta.META).set(McpMeta.SUBSCRIPTION_ID, requestId);
        return response;
    }

    private HttpResponse.BodySubscriber<UpstreamBodySubscriber.Body> subscriberFor(HttpResponse.ResponseInfo info,
                                                                                   JsonNode expectedId, boolean listen,
                                                                                   AtomicReference<UpstreamBodySubscriber> reading) {
        if (info.statusCode() < 200 || info.statusCode() >= 300) {
            // Only the start of an error body is read: enough to tell "session not found", never large.
            return HttpResponse.BodySubscribers.mapping(new BoundedTextSubscriber(ERROR_TEXT_BYTES),
                    UpstreamBodySubscriber.Body::error);
        }
        String contentType = info.headers().firstValue("Content-Type").orElse("");
        boolean eventStream = contentType.regionMatches(true, 0, McpHeaders.TEXT_EVENT_STREAM, 0,
                McpHeaders.TEXT_EVENT_STREAM.length());
        UpstreamBodySubscriber subscriber = new UpstreamBodySubscriber(mapper, expectedId, eventStream, maxResponseBytes,
                listen);
        reading.set(subscriber);
        return subscriber;
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
