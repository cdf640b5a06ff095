package dev.mcpbroker.testkit.jwt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Serves a JWK Set at {@code GET /jwks.json} on 127.0.0.1 (random port), counting those requests so that a test
 * can prove the verifier caches keys. The content can be replaced (key rotation) and the server can be switched
 * to answer with an error status (an identity provider outage) without changing its address. No
 * {@code Cache-Control} header is sent, so the verifier's own cache lifetime applies.
 *
 * <pre>{@code
 * try (JwksServer jwks = JwksServer.start(tokens)) {
 *     config.put("broker.auth.jwks-url", jwks.uri().toString());
 *     ...
 *     assertThat(jwks.requestCount()).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>{@link #shared} gives one server per name for the whole JVM, usable from every class loader (a Quarkus
 * test profile and the test class it configures live in different ones): the first caller starts it, later
 * callers get a handle that controls it through its admin endpoints ({@code /_admin/...}, never counted).
 */
public final class JwksServer implements AutoCloseable {

    public static final String PATH = "/jwks.json";
    private static final String ADMIN = "/_admin/";
    private static final String SHARED_PROPERTY = "dev.mcpbroker.testkit.jwt.jwks-url.";

    private final URI uri;
    // local mode
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Supplier<String> body;
    private volatile int failureStatus;
    // handle mode
    private final HttpClient admin;

    private JwksServer(Supplier<String> body) {
        this.body = Objects.requireNonNull(body, "body");
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        this.uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
        this.admin = null;
    }

    private JwksServer(URI uri) {
        this.uri = uri;
        this.server = null;
        this.executor = null;
        this.admin = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Serves {@link TestTokens#jwksJson()} of these tokens. */
    public static JwksServer start(TestTokens tokens) {
        return new JwksServer(tokens::jwksJson);
    }

    /** Serves whatever the supplier returns at the time of each request. */
    public static JwksServer start(Supplier<String> body) {
        return new JwksServer(body);
    }

    /**
     * The JVM-wide server registered under {@code name}: started (with {@code body}) by the first caller from
     * any class loader and stopped when the JVM exits; later callers get a handle to it and their {@code body}
     * is ignored. {@link #close()} on a shared server or handle does nothing.
     */
    public static JwksServer shared(String name, Supplier<String> body) {
        String property = SHARED_PROPERTY + name;
        synchronized (System.getProperties()) {
            String url = System.getProperty(property);
            if (url != null) {
                return new JwksServer(URI.create(url));
            }
            JwksServer server = new JwksServer(body);
            System.setProperty(property, server.uri().toString());
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "jwks-server-" + name + "-stop"));
            return new JwksServer(server.uri());
        }
    }

    /** The JWKS URL, e.g. {@code http://127.0.0.1:54321/jwks.json}. */
    public URI uri() {
        return uri;
    }

    public int port() {
        return uri.getPort();
    }

    /** Requests for the key set (any path but the admin ones) since start or the last {@link #resetCount()}. */
    public int requestCount() {
        return server != null ? requests.get() : Integer.parseInt(adminCall("GET", "requests", null).trim());
    }

    public void resetCount() {
        if (server != null) {
            requests.set(0);
        } else {
            adminCall("POST", "reset", "");
        }
    }

    /** Replaces the served content (e.g. after rotating keys); a handle sends the supplier's current value. */
    public void serve(Supplier<String> newBody) {
        Objects.requireNonNull(newBody, "newBody");
        if (server != null) {
            this.body = newBody;
        } else {
            adminCall("PUT", "jwks", newBody.get());
        }
    }

    /** From now on every key set request gets this HTTP status and no body; {@code 0} restores normal service. */
    public void failWith(int status) {
        if (server != null) {
            this.failureStatus = status;
        } else {
            adminCall("PUT", "failure", Integer.toString(status));
        }
    }

    private String adminCall(String method, String action, String requestBody) {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve(ADMIN + action))
                .method(method, requestBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(requestBody))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            HttpResponse<String> response = admin.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("JWKS server admin " + action + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith(ADMIN)) {
                handleAdmin(exchange, path.substring(ADMIN.length()));
                return;
            }
            requests.incrementAndGet();
            int failure = failureStatus;
            if (failure != 0) {
                exchange.sendResponseHeaders(failure, -1);
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod()) || !PATH.equals(path)) {
                exchange.sendResponseHeaders("GET".equals(exchange.getRequestMethod()) ? 404 : 405, -1);
                return;
            }
            respond(exchange, "application/json", body.get());
        }
    }

    private void handleAdmin(HttpExchange exchange, String action) throws IOException {
        String requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        switch (exchange.getRequestMethod() + " " + action) {
            case "GET requests" -> respond(exchange, "text/plain", Integer.toString(requests.get()));
            case "POST reset" -> {
                requests.set(0);
                respond(exchange, "text/plain", "");
            }
            case "PUT failure" -> {
                failureStatus = Integer.parseInt(requestBody.trim());
                respond(exchange, "text/plain", "");
            }
            case "PUT jwks" -> {
                body = () -> requestBody;
                respond(exchange, "text/plain", "");
            }
            default -> exchange.sendResponseHeaders(404, -1);
        }
    }

    private static void respond(HttpExchange exchange, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Stops a server started with {@link #start}; does nothing for a {@link #shared} one. */
    @Override
    public void close() {
        if (server != null) {
            stop();
        }
    }
}
