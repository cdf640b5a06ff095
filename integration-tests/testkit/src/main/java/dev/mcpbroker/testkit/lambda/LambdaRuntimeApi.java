package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Lambda Runtime API one function process polls, on 127.0.0.1, and the Invoke side that hands it events:
 * what the Lambda service is to an execution environment. Events are queued until the function asks for the next
 * invocation; like a Lambda execution environment, a function process handles one invocation at a time. Each
 * invocation carries an X-Ray trace header, as Lambda hands one to a function with active tracing.
 *
 * <p>A front (e.g. {@link LocalApiGateway}) may serve other paths on the same port.
 */
public final class LambdaRuntimeApi implements AutoCloseable {

    static final String RUNTIME_PREFIX = "/2018-06-01/runtime/";
    static final String ACCOUNT_ID = "000000000000";

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
    private final List<String> traceHeaders = new CopyOnWriteArrayList<>();
    private final AtomicLong nextRequests = new AtomicLong();
    private final AtomicLong firstNextNanos = new AtomicLong();
    private final Map<String, Long> handedOutNanos = new ConcurrentHashMap<>();
    private final AtomicLong completedInvocations = new AtomicLong();
    private final AtomicLong invocationNanos = new AtomicLong();
    private final Duration functionTimeout;
    private volatile boolean closed;

    private record Invocation(String requestId, byte[] event, CompletableFuture<JsonNode> result, String traceHeader) {

        Invocation(byte[] event) {
            this(UUID.randomUUID().toString(), event, new CompletableFuture<>(), xrayTraceHeader());
        }

        /** {@code Root=1-<epoch seconds, hex>-<96 random bits>;Parent=<64 random bits>;Sampled=1}. */
        private static String xrayTraceHeader() {
            HexFormat hex = HexFormat.of();
            byte[] random = new byte[20];
            new SecureRandom().nextBytes(random);
            return "Root=1-" + Long.toHexString(Instant.now().getEpochSecond()) + "-" + hex.formatHex(random, 0, 12)
                    + ";Parent=" + hex.formatHex(random, 12, 20) + ";Sampled=1";
        }
    }

    private LambdaRuntimeApi(int port, Duration functionTimeout) {
        this.functionTimeout = functionTimeout;
        try {
            server = HttpServer.create(new InetSocketAddress(Ports.LOOPBACK, port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + Ports.LOOPBACK + ":" + port, e);
        }
        server.setExecutor(executor);
        server.createContext(RUNTIME_PREFIX, this::runtimeApi);
        server.start();
    }

    /**
     * Serves the Runtime API on {@code port} of 127.0.0.1 (0: any free port).
     *
     * @param functionTimeout how long an invocation may take before it fails as timed out, as the function's timeout
     */
    public static LambdaRuntimeApi start(int port, Duration functionTimeout) {
        return new LambdaRuntimeApi(port, functionTimeout);
    }

    /** Serves {@code front} for every path outside the Runtime API, on the same port. */
    void front(HttpHandler front) {
        server.createContext("/", front);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API} for the function process. */
    public String runtimeApi() {
        return Ports.LOOPBACK + ":" + port();
    }

    public Duration functionTimeout() {
        return functionTimeout;
    }

    /** The X-Ray trace headers handed to the function so far, one per invocation, in order. */
    public List<String> traceHeaders() {
        return List.copyOf(traceHeaders);
    }

    /** Invocations handed to the function and not yet answered. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /**
     * How often a function process asked for its next invocation. The runtime client asks once its handler is
     * initialised, so a count above the one seen before a process started means that process is ready.
     */
    public long nextInvocationRequests() {
        return nextRequests.get();
    }

    /**
     * When ({@link System#nanoTime()}) the current function process first asked for an invocation: the end of its
     * init phase, the moment Lambda would take a SnapStart snapshot. Empty until it asked.
     */
    public OptionalLong initCompletedAtNanos() {
        long at = firstNextNanos.get();
        return at == 0 ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** How many invocations the function has answered (response or error), since this runtime API started. */
    public long completedInvocations() {
        return completedInvocations.get();
    }

    /**
     * Total time the function spent on the invocations it answered, each from handing it out ({@code next}) to its
     * answer: what Lambda bills as duration.
     */
    public long invocationNanos() {
        return invocationNanos.get();
    }

    /**
     * Invokes the function synchronously (Lambda's {@code RequestResponse} invocation, as event source mappings and
     * API Gateway use it) and returns its answer.
     *
     * @throws FunctionError when the function reports an error, its process dies, the timeout passes or this closes
     */
    public JsonNode invoke(byte[] event) {
        Invocation invocation = new Invocation(event);
        pending.add(invocation);
        try {
            return invocation.result().get(functionTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(invocation);
            inFlight.remove(invocation.requestId());
            throw new FunctionError(FunctionError.Kind.TIMEOUT, "timed out after " + functionTimeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof FunctionError error ? error
                    : new FunctionError(FunctionError.Kind.ERROR, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FunctionError(FunctionError.Kind.STOPPED, "interrupted");
        }
    }

    /**
     * The function process died: its in-flight invocations will never be answered, so they fail the way Lambda
     * reports a crashed runtime.
     */
    public void functionDied() {
        firstNextNanos.set(0);
        handedOutNanos.clear();
        inFlight.values().forEach(invocation -> invocation.result().completeExceptionally(
                new FunctionError(FunctionError.Kind.CRASHED, "runtime exited")));
        inFlight.clear();
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        pending.forEach(invocation -> invocation.result().completeExceptionally(
                new FunctionError(FunctionError.Kind.STOPPED, "runtime API closed")));
        functionDied();
    }

    private void runtimeApi(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath().substring(RUNTIME_PREFIX.length());
            String method = exchange.getRequestMethod();
            if (path.equals("invocation/next") && method.equals("GET")) {
                next(exchange);
            } else if (path.startsWith("invocation/") && method.equals("POST")) {
                complete(exchange, path.split("/"));
            } else if (path.equals("init/error")) {
                exchange.getRequestBody().readAllBytes();
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"unknown runtime API path\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        firstNextNanos.compareAndSet(0, System.nanoTime());
        nextRequests.incrementAndGet();
        Invocation next = nextInvocation();
        if (next == null) {
            reply(exchange, 500, "{\"errorMessage\":\"runtime API closed\"}");
            return;
        }
        inFlight.put(next.requestId(), next);
        handedOutNanos.put(next.requestId(), System.nanoTime());
        Headers headers = exchange.getResponseHeaders();
        headers.add("Lambda-Runtime-Aws-Request-Id", next.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + functionTimeout.toMillis()));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:" + ACCOUNT_ID + ":function:local");
        headers.add("Lambda-Runtime-Trace-Id", next.traceHeader());
        traceHeaders.add(next.traceHeader());
        headers.add("Content-Type", "application/json");
        send(exchange, 200, next.event());
    }

    private void complete(HttpExchange exchange, String[] parts) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Invocation invocation = parts.length == 3 ? inFlight.remove(parts[1]) : null;
        if (invocation == null) {
            reply(exchange, 400, "{\"errorMessage\":\"unknown request id\"}");
            return;
        }
        Long handedOut = handedOutNanos.remove(parts[1]);
        if (handedOut != null) {
            invocationNanos.addAndGet(System.nanoTime() - handedOut);
            completedInvocations.incrementAndGet();
        }
        if (parts[2].equals("response")) {
            invocation.result().complete(mapper.readTree(body));
        } else {
            invocation.result().completeExceptionally(
                    new FunctionError(FunctionError.Kind.ERROR, new String(body, StandardCharsets.UTF_8)));
        }
        reply(exchange, 202, "{\"status\":\"OK\"}");
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

    static void reply(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, json.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean empty = body.length == 0 || status == 204 || status == 304;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An invocation that produced no answer: the function's error, a crash, a timeout, or the runtime closing. */
    public static final class FunctionError extends RuntimeException {

        /** Why there is no answer. */
        public enum Kind { ERROR, CRASHED, TIMEOUT, STOPPED }

        private final Kind kind;

        FunctionError(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }
}
