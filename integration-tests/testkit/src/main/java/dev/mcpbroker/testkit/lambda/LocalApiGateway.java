package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A loopback stand-in for API Gateway (HTTP API, payload format 2.0) in front of one Lambda function, on the same
 * port as the {@link LambdaRuntimeApi} the function polls. Requests become {@code APIGatewayV2HTTPEvent}s; failures
 * answer as the HTTP API does: function error 500, timeout 503, both with {@code {"message": ...}}.
 */
public final class LocalApiGateway implements AutoCloseable {

    private final ObjectMapper mapper = new ObjectMapper();
    private final LambdaRuntimeApi runtime;

    private LocalApiGateway(LambdaRuntimeApi runtime) {
        this.runtime = runtime;
        runtime.front(this::route);
    }

    public static LocalApiGateway start(Duration functionTimeout) {
        return start(0, functionTimeout);
    }

    /** The gateway on {@code port} of 127.0.0.1 (0: any free port). */
    public static LocalApiGateway start(int port, Duration functionTimeout) {
        return new LocalApiGateway(LambdaRuntimeApi.start(port, functionTimeout));
    }

    /** The Runtime API behind this gateway. */
    public LambdaRuntimeApi runtime() {
        return runtime;
    }

    public int port() {
        return runtime.port();
    }

    /** The X-Ray trace headers handed to the function so far, one per invocation, in order. */
    public List<String> traceHeaders() {
        return runtime.traceHeaders();
    }

    /** Where clients send HTTP requests, e.g. {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port());
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API} for the function process. */
    public String runtimeApi() {
        return runtime.runtimeApi();
    }

    /** Invocations handed to the function and not yet answered. */
    public int inFlightCount() {
        return runtime.inFlightCount();
    }

    /**
     * The function process died: its in-flight invocations will never be answered, so they fail the way
     * Lambda reports a crashed runtime to API Gateway.
     */
    public void functionDied() {
        runtime.functionDied();
    }

    @Override
    public void close() {
        runtime.close();
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            invoke(exchange);
        }
    }

    // ---- client side: HTTP request -> event -> function -> HTTP response

    private void invoke(HttpExchange exchange) throws IOException {
        JsonNode response;
        try {
            response = runtime.invoke(event(exchange));
        } catch (LambdaRuntimeApi.FunctionError e) {
            if (e.kind() == LambdaRuntimeApi.FunctionError.Kind.TIMEOUT) {
                LambdaRuntimeApi.reply(exchange, 503, "{\"message\":\"Service Unavailable\"}");
            } else {
                LambdaRuntimeApi.reply(exchange, 500, "{\"message\":\"Internal Server Error\"}");
            }
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
                .put("accountId", LambdaRuntimeApi.ACCOUNT_ID)
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
        LambdaRuntimeApi.send(exchange, status, body);
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("x-www-form-urlencoded");
    }
}
