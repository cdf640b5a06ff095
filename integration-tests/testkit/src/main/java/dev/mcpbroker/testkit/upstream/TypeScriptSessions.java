package dev.mcpbroker.testkit.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many concurrent sessions of the official TypeScript SDK client ({@code integration-tests/node/ts-sessions.mjs}) in
 * one Node.js child process, running in the background: a test can wait for progress, inject a fault while the
 * sessions are mid-run, then collect what every session experienced.
 *
 * <p>{@link #await} returns the script's JSON: {@code sessions[]}, each with {@code connected}, {@code sessionId},
 * {@code sessionIdAtEnd}, {@code initializeRequests} (initialize requests the SDK sent on the wire), {@code callsOk},
 * {@code listsOk} and {@code errors[]} ({@code op}, {@code call}, {@code type}, {@code code}, {@code message}). A failed
 * request is recorded and its session carries on.
 */
public final class TypeScriptSessions implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROGRESS = "progress ";

    /**
     * What every session does: {@code calls} tools/call of {@code tool} one after the other, with a tools/list
     * before every {@code listEvery}-th call (0: none).
     */
    public record Scenario(int sessions, int calls, String tool, Map<String, ?> arguments, int listEvery) {
    }

    private final Process process;
    private final Path stdout;
    private final AtomicInteger finished = new AtomicInteger();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stderrReader;

    private TypeScriptSessions(Process process, Path stdout) {
        this.process = process;
        this.stdout = stdout;
        this.stderrReader = Thread.ofVirtual().start(this::readStderr);
    }

    /** Starts the sessions against {@code endpoint}, sending {@code headers} on every HTTP request. */
    public static TypeScriptSessions start(URI endpoint, Map<String, String> headers, Scenario scenario) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("headers", headers);
        json.put("sessions", scenario.sessions());
        json.put("calls", scenario.calls());
        json.put("tool", scenario.tool());
        json.put("arguments", scenario.arguments());
        json.put("listEvery", scenario.listEvery());
        json.put("timeoutMs", 30_000);
        Path node = NodeTools.node();
        NodeTools.nodeModules();
        try {
            Path out = Files.createTempFile("ts-sessions-", ".out");
            Process process = new ProcessBuilder(node.toString(), script().toString(), endpoint.toString(),
                    JSON.writeValueAsString(json))
                    .directory(NodeTools.nodeProject().toFile())
                    .redirectOutput(out.toFile())
                    .start();
            return new TypeScriptSessions(process, out);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start ts-sessions against " + endpoint, e);
        }
    }

    /** {@code <repo>/integration-tests/node/ts-sessions.mjs}. */
    public static Path script() {
        return NodeTools.nodeProject().resolve("ts-sessions.mjs");
    }

    /** Requests (tools/call and tools/list) finished so far, failed ones included, over all sessions. */
    public int requestsFinished() {
        return finished.get();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for every session to finish and returns the result.
     *
     * @throws IllegalStateException on a timeout (the process is killed) or a non-zero exit, with its stderr
     */
    public JsonNode await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException("ts-sessions did not finish within " + timeout + "\n" + stderrTail());
            }
            stderrReader.join(Duration.ofSeconds(5));
            if (process.exitValue() != 0) {
                throw new IllegalStateException("ts-sessions exited with " + process.exitValue() + "\n" + stderrTail());
            }
            return JSON.readTree(Files.readString(stdout));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for ts-sessions", e);
        } finally {
            deleteQuietly();
        }
    }

    /** Kills the client process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        deleteQuietly();
    }

    private void readStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(PROGRESS) && line.substring(PROGRESS.length()).trim().matches("\\d+")) {
                    finished.set(Integer.parseInt(line.substring(PROGRESS.length()).trim()));
                } else {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; what was read is kept
        }
    }

    private String stderrTail() {
        synchronized (stderr) {
            return stderr.length() <= 4000 ? stderr.toString() : stderr.substring(stderr.length() - 4000);
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(stdout);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
