package dev.mcpbroker.testkit.upstream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo upstream MCP server ({@code integration-tests/demo-upstream}, "demo-payments") in a child JVM on a free
 * loopback port, with its admin endpoints (execution counters, reset, hang switch, last request headers).
 *
 * <p>Needs the module built: {@code ./mvnw -pl integration-tests/demo-upstream install}.
 */
public final class DemoUpstream implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DEFAULT_JVM_ARGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final ManagedProcess process;
    private final int port;
    private final URI baseUri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private DemoUpstream(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
        this.baseUri = URI.create("http://" + Ports.LOOPBACK + ":" + port + "/");
    }

    /** Starts the server on a free port and waits until its admin endpoint answers. */
    public static DemoUpstream start() {
        return start(List.of());
    }

    /**
     * Starts the server with extra JVM flags (e.g. {@code -Dquarkus.log.level=DEBUG}), placed before {@code -jar}
     * after the defaults ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}, for a ~0.3 s faster start; pass
     * {@code -XX:TieredStopAtLevel=4} for full JIT in benchmarks).
     */
    public static DemoUpstream start(List<String> extraJvmArgs) {
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the demo upstream is not built: " + jar + " is missing. Build it with "
                    + "`./mvnw -pl integration-tests/demo-upstream install` (from " + RepoPaths.repoRoot() + ")");
        }
        int port = Ports.freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DEFAULT_JVM_ARGS);
        command.addAll(extraJvmArgs);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=" + Ports.LOOPBACK);
        command.add("-jar");
        command.add(jar.toString());
        Path log = RepoPaths.callerTarget().resolve("upstream-logs").resolve("demo-upstream-" + port + ".log");
        ManagedProcess process = ManagedProcess.start("demo-upstream:" + port, command, jar.getParent(), Map.of(), log);
        DemoUpstream upstream = new DemoUpstream(process, port);
        process.awaitReady(START_TIMEOUT, upstream::adminAnswers);
        return upstream;
    }

    /** {@code <repo>/integration-tests/demo-upstream/target/quarkus-app/quarkus-run.jar}. */
    public static Path jar() {
        return RepoPaths.repoRoot().resolve("integration-tests/demo-upstream/target/quarkus-app/quarkus-run.jar");
    }

    /** {@code http://127.0.0.1:<port>/mcp}: the Streamable HTTP endpoint. */
    public URI mcpEndpoint() {
        return baseUri.resolve("mcp");
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public URI baseUri() {
        return baseUri;
    }

    public int port() {
        return port;
    }

    /** Tool executions since start or the last reset: {@code transfer}, {@code get_balance}, {@code list_transfers}. */
    public Map<String, Long> executions() {
        return getJson("admin/executions", new TypeReference<>() { });
    }

    /** Executions of one tool (0 for a tool never executed). */
    public long executions(String tool) {
        return executions().getOrDefault(tool, 0L);
    }

    /** Current balances in cents (reading them is not a tool execution). */
    public Map<String, Long> balances() {
        return getJson("admin/balances", new TypeReference<>() { });
    }

    /** Seed balances, no transfers, zero counters, no idempotency keys or remembered headers; releases a hung transfer. */
    public void reset() {
        post("admin/reset");
    }

    /** The next transfer executes (counted and applied) and then blocks up to 60 s before it answers. */
    public void hangNextTransfer() {
        post("admin/hang-next-transfer");
    }

    /** Requests of any method that reached /mcp since start or the last reset, refused ones included. */
    public long mcpRequests() {
        return getJson("admin/mcp-requests", new TypeReference<Map<String, Long>>() { }).get("count");
    }

    /**
     * From now on /mcp answers 401 unless {@code header} equals {@code value}: an upstream that checks its
     * callers' credential, which tests can rotate under a running broker. Lifted by {@link #reset()}.
     */
    public void requireCredential(String header, String value) {
        post("admin/require-credential?header=" + URLEncoder.encode(header, StandardCharsets.UTF_8)
                + "&value=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    /** Initializes (POSTs without a session id) that reached /mcp since start or the last reset. */
    public long initializes() {
        return getJson("admin/initializes", new TypeReference<Map<String, Long>>() { }).get("count");
    }

    /** From now on every answer sets a new cookie {@code r<n>=<n>} (until {@link #reset()}). */
    public void setCookieOnEveryAnswer(boolean on) {
        post("admin/cookie-per-response?on=" + on);
    }

    /** The next initialize reaches the upstream and is never answered. */
    public void hangNextInitialize() {
        post("admin/hang-next-initialize");
    }

    /** Headers of the last POST to /mcp, names lowercased (empty before the first). */
    public Map<String, String> lastRequestHeaders() {
        return getJson("admin/last-request-headers", new TypeReference<>() { });
    }

    /**
     * Lists the tool {@code quote_fx} from now on with this description, replacing the definition it had: an upstream
     * that changes a tool under a running broker. Removed by {@link #removeChangingTool()} and {@link #reset()}.
     */
    public void defineChangingTool(String description) {
        post("admin/changing-tool?description=" + URLEncoder.encode(description, StandardCharsets.UTF_8));
    }

    public void removeChangingTool() {
        send(HttpRequest.newBuilder(baseUri.resolve("admin/changing-tool")).DELETE(), "admin/changing-tool");
    }

    /** Executions of {@code quote_fx} since it was last removed. */
    public long changingToolCalls() {
        return getJson("admin/changing-tool", new TypeReference<Map<String, Long>>() { }).get("calls");
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.kill();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return process.log();
    }

    /** Stops the server (SIGTERM, then SIGKILL if it lingers). */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "DemoUpstream[" + mcpEndpoint() + ", pid " + pid() + "]";
    }

    private boolean adminAnswers() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(baseUri.resolve("admin/executions"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private <T> T getJson(String path, TypeReference<T> type) {
        String body = send(HttpRequest.newBuilder(baseUri.resolve(path)).GET(), path);
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected answer from " + path + ": " + body, e);
        }
    }

    private void post(String path) {
        send(HttpRequest.newBuilder(baseUri.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()), path);
    }

    private String send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> response = http.send(request.timeout(ADMIN_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("demo upstream " + baseUri + " did not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling " + path, e);
        }
    }
}
