package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A loopback stand-in for API Gateway (HTTP API, payload format 2.0) in front of one Lambda function,
 * which also serves the Lambda Runtime API the function polls. Requests become
 * {@code APIGatewayV2HTTPEvent}s, queued until the function asks for the next invocation; like a Lambda
 * execution environment, a function process handles one invocation at a time. Failures answer as the
 * HTTP API does: function error 500, timeout 503, both with {@code {"message": ...}}. Each invocation
 * carries an X-Ray trace header, as Lambda hands one to a function with active tracing.
 */
public final class LocalApiGateway implements AutoCloseable {

    private static final String RUNTIME_PREFIX = "/2018-06-01/runtime/";
    private static final String ACCOUNT_ID = "000000000000";

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final Duration functionTimeout;
    private volatile boolean closed;

    private final List<String> traceHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Invocation(String requestId, byte[] event, CompletableFuture<JsonNode> result, String traceHeader) {

        Invocation(String requestId, byte[] event, CompletableFuture<JsonNode> result) {
            this(requestId, event, result, xrayTraceHeader());
        }

        /** {@code Root=1-<epoch seconds, hex>-<96 random bits>;Parent=<64 random bits>;Sampled=1}. */
        private static String xrayTraceHeader() {
            java.util.HexFormat hex = java.util.HexFormat.of();
            byte[] random = new byte[20];
            new java.security.SecureRandom().nextBytes(random);
            return "Root=1-" + Long.toHexString(Instant.now().getEpochSecond()) + "-" + hex.formatHex(random, 0, 12)
                    + ";Parent=" + hex.formatHex(random, 12, 20) + ";Sampled=1";
        }
    }

    private LocalApiGateway(Duration functionTimeout) {
        this.functionTimeout = functionTimeout;
        try {
            server = HttpServer.create(new InetSocketAddress(Ports.LOOPBACK, 0), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::route);
        server.start();
    }

    public static LocalApiGateway start(Duration functionTimeout) {
        return new LocalApiGateway(functionTimeout);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The X-Ray trace headers handed to the function so far, one per invocation, in order. */
    public List<String> traceHeaders() {
        return List.copyOf(traceHeaders);
    }

    /** Where clients send HTTP requests, e.g. {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port());
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API} for the function process. */
    public String runtimeApi() {
        return Ports.LOOPBACK + ":" + port();
    }

    /** Invocations handed to the function and not yet answered. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /**
     * The function process died: its in-flight invocations will never be answered, so they fail the way
     * Lambda reports a crashed runtime to API Gateway.
     */
    public void functionDied() {
        inFlight.values().forEach(invocation -> invocation.result().completeExceptionally(new FunctionError("runtime exited")));
        inFlight.clear();
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        pending.forEach(invocation -> invocation.result().completeExceptionally(new FunctionError("gateway closed")));
        functionDied();
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.startsWith(RUNTIME_PREFIX)) {
                runtimeApi(exchange, path.substring(RUNTIME_PREFIX.length()));
            } else {
                invoke(exchange);
            }
        }
    }

    // ---- client side: HTTP request -> event -> function -> HTTP response

    private void invoke(HttpExchange exchange) throws IOException {
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), event(exchange), new CompletableFuture<>());
        pending.add(invocation);
        JsonNode response;
        try {
            response = invocation.result().get(functionTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(invocation);
            inFlight.remove(invocation.requestId());
            reply(exchange, 503, "{\"message\":\"Service Unavailable\"}");
            return;
        } catch (ExecutionException e) {
            reply(exchange, 500, "{\"message\":\"Internal Server Error\"}");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, "{\"message\":\"Service Unavailable\"}");
            return;
        }
        writeFunctionResponse(exchange, response);
    }

    private byte[] event(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        URI uri = exchange.getRequestURI();
        ObjectNode event = mapper.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", "$default")
                .put("rawPath", uri.getRawPath())
                .put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        ObjectNode headers = event.putObject("headers");
        ArrayNode cookies = mapper.createArrayNode();
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                header.getValue().forEach(value -> List.of(value.split(";\\s*")).forEach(cookies::add));
            } else {
                headers.put(name, String.join(",", header.getValue()));
            }
        }
        if (!cookies.isEmpty()) {
            event.set("cookies", cookies);
        }
        if (uri.getRawQuery() != null) {
            ObjectNode query = event.putObject("queryStringParameters");
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        Instant now = Instant.now();
        ObjectNode context = event.putObject("requestContext")
                .put("accountId", ACCOUNT_ID)
                .put("apiId", "local")
                .put("domainName", Ports.LOOPBACK)
                .put("domainPrefix", "local")
                .put("requestId", UUID.randomUUID().toString())
                .put("routeKey", "$default")
                .put("stage", "$default")
                .put("time", now.toString())
                .put("timeEpoch", now.toEpochMilli());
        context.putObject("http")
                .put("method", exchange.getRequestMethod())
                .put("path", uri.getRawPath())
                .put("protocol", exchange.getProtocol())
                .put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress())
                .put("userAgent", exchange.getRequestHeaders().getFirst("User-Agent"));
        if (body.length > 0) {
            if (isText(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                event.put("body", new String(body, StandardCharsets.UTF_8)).put("isBase64Encoded", false);
            } else {
                event.put("body", Base64.getEncoder().encodeToString(body)).put("isBase64Encoded", true);
            }
        } else {
            event.put("isBase64Encoded", false);
        }
        return mapper.writeValueAsBytes(event);
    }

    private void writeFunctionResponse(HttpExchange exchange, JsonNode response) throws IOException {
        int status = response.path("statusCode").asInt(200);
        Headers headers = exchange.getResponseHeaders();
        response.path("headers").properties().forEach(h -> headers.add(h.getKey(), h.getValue().asText()));
        response.path("multiValueHeaders").properties().forEach(h -> {
            headers.remove(h.getKey());
            h.getValue().forEach(v -> headers.add(h.getKey(), v.asText()));
        });
        response.path("cookies").forEach(cookie -> headers.add("Set-Cookie", cookie.asText()));
        JsonNode bodyNode = response.get("body");
        byte[] body = bodyNode == null || bodyNode.isNull() ? new byte[0]
                : response.path("isBase64Encoded").asBoolean(false)
                ? Base64.getDecoder().decode(bodyNode.asText())
                : bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        send(exchange, status, body);
    }

    // ---- function side: the Lambda Runtime API

    private void runtimeApi(HttpExchange exchange, String path) throws IOException {
        if (path.equals("invocation/next") && exchange.getRequestMethod().equals("GET")) {
            Invocation next = nextInvocation();
            if (next == null) {
                reply(exchange, 500, "{\"errorMessage\":\"gateway closed\"}");
                return;
            }
            inFlight.put(next.requestId(), next);
            Headers headers = exchange.getResponseHeaders();
            headers.add("Lambda-Runtime-Aws-Request-Id", next.requestId());
            headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + functionTimeout.toMillis()));
            headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:" + ACCOUNT_ID + ":function:local");
            headers.add("Lambda-Runtime-Trace-Id", next.traceHeader());
            traceHeaders.add(next.traceHeader());
            headers.add("Content-Type", "application/json");
            send(exchange, 200, next.event());
            return;
        }
        if (path.startsWith("invocation/") && exchange.getRequestMethod().equals("POST")) {
            String[] parts = path.split("/");
            byte[] body = exchange.getRequestBody().readAllBytes();
            Invocation invocation = parts.length == 3 ? inFlight.remove(parts[1]) : null;
            if (invocation == null) {
                reply(exchange, 400, "{\"errorMessage\":\"unknown request id\"}");
                return;
            }
            if (parts[2].equals("response")) {
                invocation.result().complete(mapper.readTree(body));
            } else {
                invocation.result().completeExceptionally(new FunctionError(new String(body, StandardCharsets.UTF_8)));
            }
            reply(exchange, 202, "{\"status\":\"OK\"}");
            return;
        }
        if (path.equals("init/error")) {
            exchange.getRequestBody().readAllBytes();
            reply(exchange, 202, "{\"status\":\"OK\"}");
            return;
        }
        reply(exchange, 404, "{\"errorMessage\":\"unknown runtime API path\"}");
    }

    private Invocation nextInvocation() {
        while (!closed) {
            try {
                Invocation next = pending.poll(1, TimeUnit.SECONDS);
                if (next != null && !next.result().isDone()) {
                    return next;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("x-www-form-urlencoded");
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean empty = body.length == 0 || status == 204 || status == 304;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The function reported an error, crashed, or the gateway stopped. */
    private static final class FunctionError extends RuntimeException {
        FunctionError(String message) {
            super(message, null, false, false);
        }
    }
}
