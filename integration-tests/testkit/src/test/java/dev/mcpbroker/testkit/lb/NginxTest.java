package dev.mcpbroker.testkit.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.testkit.process.LoopbackOnly;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load balancer configurations of {@code infra/nginx}, run by the real nginx in front of tiny loopback backends. */
@Timeout(60)
class NginxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    // ---- round robin (the broker's load balancer)

    @Test
    void roundRobinSpreadsRequestsEvenlyOverEveryBackend() {
        List<Backend> backends = List.of(backend("a"), backend("b"), backend("c"));
        Nginx nginx = track(Nginx.roundRobin(uris(backends)));

        for (int i = 0; i < 30; i++) {
            assertThat(post(nginx, "/mcp/payments", Map.of()).statusCode()).isEqualTo(200);
        }

        assertThat(backends).allSatisfy(b -> assertThat(b.requests()).as(b.name).isEqualTo(10));
        assertThat(nginx.requestsByBackend().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
    }

    @Test
    void roundRobinPassesMcpHeadersBothWaysAndTheClientsHostToTheBackend() throws Exception {
        Backend backend = backend("a");
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend))));

        HttpResponse<String> response = post(nginx, "/mcp/payments", Map.of(
                "Authorization", "Bearer token-for-the-test",
                "Mcp-Session-Id", "session-1",
                "MCP-Protocol-Version", "2025-11-25",
                "Idempotency-Key", "key-1"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Mcp-Session-Id")).hasValue("answered-by-a");
        JsonNode seen = JSON.readTree(response.body()).path("headers");
        assertThat(seen.path("host").asText()).isEqualTo(Ports.LOOPBACK + ":" + nginx.port());
        assertThat(seen.path("authorization").asText()).isEqualTo("Bearer token-for-the-test");
        assertThat(seen.path("mcp-session-id").asText()).isEqualTo("session-1");
        assertThat(seen.path("mcp-protocol-version").asText()).isEqualTo("2025-11-25");
        assertThat(seen.path("idempotency-key").asText()).isEqualTo("key-1");
    }

    @Test
    void roundRobinStreamsAnEventStreamBeforeTheBackendHasFinishedIt() throws Exception {
        Backend backend = backend("a");
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend))));

        HttpResponse<InputStream> response = HTTP.send(request(nginx, "/sse", Map.of()),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            // The backend holds the rest of the stream until the first event has reached this client.
            assertThat(readUntil(body, "\n\n")).contains("data: first");
            backend.releaseStream.countDown();
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("data: second");
        }
    }

    @Test
    void roundRobinSkipsABackendThatRefusesConnections() {
        Backend live = backend("live");
        URI refusing = URI.create("http://127.0.0.1:" + Ports.freePort());
        Nginx nginx = track(Nginx.roundRobin(List.of(refusing, live.uri())));

        for (int i = 0; i < 6; i++) {
            assertThat(post(nginx, "/mcp/payments", Map.of()).statusCode()).isEqualTo(200);
        }
        assertThat(live.requests()).isEqualTo(6);
    }

    @Test
    void roundRobinAnswersAnAmbiguousJsonRpcErrorWhenABackendDiesWithTheRequestAndNeverResendsIt() throws Exception {
        DyingBackend dying = track(new DyingBackend());
        Backend live = backend("live");
        Nginx nginx = track(Nginx.roundRobin(List.of(dying.uri(), live.uri())));

        HttpResponse<String> failed = null;
        for (int i = 0; i < 4 && failed == null; i++) {
            int liveBefore = live.requests();
            int dyingBefore = dying.accepted.get();
            HttpResponse<String> response = post(nginx, "/mcp/payments", Map.of());
            if (dying.accepted.get() > dyingBefore) {
                failed = response;
                assertThat(live.requests()).as("a POST that reached a backend is not sent to another").isEqualTo(liveBefore);
            }
        }

        assertThat(failed).as("nginx passed a request to the dying backend").isNotNull();
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = JSON.readTree(failed.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32603);
        assertThat(error.path("data").path("reason").asText()).isEqualTo("broker_unavailable");
        assertThat(error.path("data").path("failureClass").asText()).isEqualTo("ambiguous");
    }

    @Test
    void roundRobinAnswersTheSameJsonRpcErrorWithStatus504WhenABackendDoesNotAnswerInTime() throws Exception {
        Backend backend = backend("slow");
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend)), Duration.ofMillis(300)));

        HttpResponse<String> response = post(nginx, "/hang", Map.of());
        backend.releaseStream.countDown();

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(JSON.readTree(response.body()).path("error").path("data").path("failureClass").asText()).isEqualTo("ambiguous");
    }

    @Test
    void roundRobinPassesABackendsOwnErrorAnswerThroughUnchanged() {
        Backend backend = backend("a");
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend))));

        HttpResponse<String> response = post(nginx, "/own-error", Map.of());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEqualTo(Backend.OWN_ERROR);
    }

    @Test
    void loadBalancerListensOnLoopbackOnly() {
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend("a")))));
        LoopbackOnly.assertListensOnLoopbackOnly(nginx.port());
    }

    @Test
    void closeEndsTheMasterAndItsWorkers() {
        Nginx nginx = track(Nginx.roundRobin(uris(List.of(backend("a")))));
        List<ProcessHandle> processes = new ArrayList<>(ProcessHandle.of(nginx.pid()).orElseThrow().descendants().toList());
        processes.add(ProcessHandle.of(nginx.pid()).orElseThrow());
        assertThat(processes).hasSizeGreaterThanOrEqualTo(2);

        nginx.close();

        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(Ports.isListening(nginx.port())).isFalse();
        assertThat(nginx.errorLogText()).doesNotContain("[emerg]").doesNotContain("[alert]");
    }

    // ---- cookie affinity (replicas of a stateful upstream MCP server)

    @Test
    void stickyRoundRobinsRequestsWithoutTheCookieAndNamesTheReplicaThatServed() throws Exception {
        List<Backend> backends = List.of(backend("a"), backend("b"));
        Nginx nginx = track(Nginx.cookieSticky(uris(backends)));

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = post(nginx, "/mcp", Map.of());
            Backend served = backends.stream().filter(b -> b.name.equals(servedBy(response))).findFirst().orElseThrow();
            assertThat(response.headers().firstValue("Set-Cookie")).hasValueSatisfying(cookie -> assertThat(cookie)
                    .startsWith(Nginx.STICKY_COOKIE + "=" + nginx.replicaId(served.uri()) + ";").contains("HttpOnly"));
        }
        assertThat(backends).allSatisfy(b -> assertThat(b.requests()).isEqualTo(2));
    }

    @Test
    void stickyRequestsWithTheCookieAllReachTheReplicaItNames() throws Exception {
        List<Backend> backends = List.of(backend("a"), backend("b"), backend("c"));
        Nginx nginx = track(Nginx.cookieSticky(uris(backends)));
        String cookie = Nginx.STICKY_COOKIE + "=" + nginx.replicaId(backends.get(1).uri());

        for (int i = 0; i < 12; i++) {
            HttpResponse<String> response = post(nginx, "/mcp", Map.of("Cookie", cookie));
            assertThat(servedBy(response)).isEqualTo("b");
        }
        assertThat(backends.get(1).requests()).isEqualTo(12);
        assertThat(nginx.requestsByBackend()).containsEntry(backends.get(1).uri(), 12L);
    }

    @Test
    void stickyRequestForAReplicaThatIsGoneFailsInsteadOfReachingAnother() throws Exception {
        Backend gone = backend("gone");
        Backend other = backend("other");
        Nginx nginx = track(Nginx.cookieSticky(uris(List.of(gone, other))));
        String cookie = Nginx.STICKY_COOKIE + "=" + nginx.replicaId(gone.uri());
        gone.close();

        HttpResponse<String> response = post(nginx, "/mcp", Map.of("Cookie", cookie));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).path("error").path("data").path("failureClass").asText()).isEqualTo("ambiguous");
        assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(other.requests()).isZero();
    }

    // ---- rendering

    @Test
    void placeholdersAreFilledOutsideCommentsAndAMissingValueIsRefused() {
        assertThatThrownBy(() -> Nginx.render("listen {{LISTEN}};", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{{LISTEN}}");
        assertThat(Nginx.render("# {{LISTEN}}: where\nlisten {{LISTEN}};\n", Map.of("LISTEN", "127.0.0.1:1")))
                .isEqualTo("# {{LISTEN}}: where\nlisten 127.0.0.1:1;\n");
    }

    @Test
    void theErrorLogOptionIsUsedOnlyWhereNginxHasIt() {
        assertThat(Nginx.supportsErrorLogOption("nginx version: nginx/1.22.1")).isTrue();
        assertThat(Nginx.supportsErrorLogOption("nginx version: nginx/1.19.5")).isTrue();
        assertThat(Nginx.supportsErrorLogOption("nginx version: nginx/1.18.0")).isFalse();
        assertThat(Nginx.supportsErrorLogOption(null)).isFalse();
    }

    // ---- helpers

    private Backend backend(String name) {
        return track(new Backend(name));
    }

    private static List<URI> uris(List<Backend> backends) {
        return backends.stream().map(Backend::uri).toList();
    }

    private static HttpRequest request(Nginx nginx, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(nginx.baseUri().resolve(path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        headers.forEach(request::header);
        return request.build();
    }

    private static HttpResponse<String> post(Nginx nginx, String path, Map<String, String> headers) {
        try {
            return HTTP.send(request(nginx, path, headers), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String servedBy(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).path("servedBy").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int c; !text.toString().endsWith(end) && (c = in.read()) != -1; ) {
            text.append((char) c);
        }
        return text.toString();
    }

    /**
     * A loopback HTTP backend that counts requests and answers with its name and the request headers it received.
     * {@code /sse} sends one event, then the rest once {@link #releaseStream} opens; {@code /hang} answers only then;
     * {@code /own-error} answers a 502 of its own.
     */
    private static final class Backend implements AutoCloseable {

        static final String OWN_ERROR = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32010,\"message\":\"backend's own\"}}";

        final String name;
        final CountDownLatch releaseStream = new CountDownLatch(1);
        private final AtomicInteger requests = new AtomicInteger();
        private final HttpServer server;

        Backend(String name) {
            this.name = name;
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Ports.LOOPBACK), 0), 64);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", this::handle);
            server.start();
        }

        URI uri() {
            return URI.create("http://" + Ports.LOOPBACK + ":" + server.getAddress().getPort());
        }

        int requests() {
            return requests.get();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                requests.incrementAndGet();
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/sse")) {
                    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    out.write("event: message\ndata: first\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    await(releaseStream);
                    out.write("event: message\ndata: second\n\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (path.equals("/hang")) {
                    await(releaseStream);
                }
                int status = path.equals("/own-error") ? 502 : 200;
                String body = status == 502 ? OWN_ERROR : JSON.createObjectNode().put("servedBy", name)
                        .set("headers", JSON.valueToTree(firstValues(exchange))).toString();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Mcp-Session-Id", "answered-by-" + name);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        }

        private static Map<String, String> firstValues(HttpExchange exchange) {
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
            return headers;
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            releaseStream.countDown();
            server.stop(0);
        }
    }

    /** Accepts a connection, reads the request and closes the connection without an answer: a replica dying mid-call. */
    private static final class DyingBackend implements AutoCloseable {

        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket socket;
        private final Thread acceptor;

        DyingBackend() {
            try {
                socket = new ServerSocket(0, 16, InetAddress.getByName(Ports.LOOPBACK));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            acceptor = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        connection.getInputStream().read(new byte[65536]);
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        URI uri() {
            return URI.create("http://" + Ports.LOOPBACK + ":" + socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            acceptor.interrupt();
        }
    }
}
