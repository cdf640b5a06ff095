package dev.mcpbroker.testkit.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official TypeScript SDK's MCP client ({@code Client} + {@code StreamableHTTPClientTransport}), driven by
 * {@code integration-tests/node/ts-client.mjs} in a Node.js child process.
 *
 * <p>{@link #run} returns the script's JSON: {@code connected}, {@code sessionId}, {@code protocolVersion},
 * {@code serverInfo}, {@code serverCapabilities}, {@code steps[]} (each {@code {op, result}} or
 * {@code {op, error: {type, code, message, data}}}), {@code sessionIdAtEnd}; when the connect (initialize) fails:
 * {@code connected: false} and {@code connectError}.
 */
public final class TypeScriptClient {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    private TypeScriptClient() {
    }

    /** Runs the steps in one session against {@code endpoint}, sending {@code headers} on every HTTP request. */
    public static JsonNode run(URI endpoint, Map<String, String> headers, List<Map<String, Object>> steps) {
        return run(endpoint, headers, steps, DEFAULT_TIMEOUT);
    }

    /**
     * As {@link #run(URI, Map, List)}, killing the client after {@code timeout}.
     *
     * @throws IllegalStateException on a timeout or a non-zero exit, with the script's stderr
     */
    public static JsonNode run(URI endpoint, Map<String, String> headers, List<Map<String, Object>> steps,
            Duration timeout) {
        return run(endpoint, headers, null, steps, timeout);
    }

    /**
     * Continues an existing session: the SDK's transport is given {@code sessionId} and, as the SDK does
     * when reconnecting, the client skips initialize.
     */
    public static JsonNode resume(URI endpoint, Map<String, String> headers, String sessionId, List<Map<String, Object>> steps) {
        return run(endpoint, headers, sessionId, steps, DEFAULT_TIMEOUT);
    }

    private static JsonNode run(URI endpoint, Map<String, String> headers, String sessionId,
            List<Map<String, Object>> steps, Duration timeout) {
        Map<String, Object> scenario = new LinkedHashMap<>();
        scenario.put("headers", headers);
        if (sessionId != null) {
            scenario.put("sessionId", sessionId);
        }
        scenario.put("timeoutMs", timeout.toMillis());
        scenario.put("steps", steps);
        Path node = NodeTools.node();
        NodeTools.nodeModules();
        Path script = script();
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("ts-client-", ".out");
            err = Files.createTempFile("ts-client-", ".err");
            ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString(), endpoint.toString(),
                    JSON.writeValueAsString(scenario))
                    .directory(NodeTools.nodeProject().toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("ts-client against " + endpoint + " did not finish within " + timeout
                        + "\nstderr:\n" + Files.readString(err));
            }
            String stdout = Files.readString(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("ts-client against " + endpoint + " exited with " + process.exitValue()
                        + "\nstderr:\n" + Files.readString(err) + (stdout.isBlank() ? "" : "\nstdout:\n" + stdout));
            }
            return JSON.readTree(stdout);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run ts-client against " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running ts-client", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** {@code <repo>/integration-tests/node/ts-client.mjs}. */
    public static Path script() {
        return NodeTools.nodeProject().resolve("ts-client.mjs");
    }

    public static Map<String, Object> listTools() {
        return Map.of("op", "listTools");
    }

    public static Map<String, Object> callTool(String name, Map<String, ?> arguments) {
        return Map.of("op", "callTool", "name", name, "arguments", arguments);
    }

    /** A tools/call with request {@code _meta} (e.g. {@code dev.mcpbroker/idempotencyKey}). */
    public static Map<String, Object> callTool(String name, Map<String, ?> arguments, Map<String, ?> meta) {
        return Map.of("op", "callTool", "name", name, "arguments", arguments, "_meta", meta);
    }

    public static Map<String, Object> listResources() {
        return Map.of("op", "listResources");
    }

    public static Map<String, Object> readResource(String uri) {
        return Map.of("op", "readResource", "uri", uri);
    }

    public static Map<String, Object> listPrompts() {
        return Map.of("op", "listPrompts");
    }

    public static Map<String, Object> getPrompt(String name, Map<String, ?> arguments) {
        return Map.of("op", "getPrompt", "name", name, "arguments", arguments);
    }

    public static Map<String, Object> ping() {
        return Map.of("op", "ping");
    }

    /** DELETE the session ({@code transport.terminateSession()}), then {@code client.close()}; ends the scenario. */
    public static Map<String, Object> terminate() {
        return Map.of("op", "terminate");
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }
}
