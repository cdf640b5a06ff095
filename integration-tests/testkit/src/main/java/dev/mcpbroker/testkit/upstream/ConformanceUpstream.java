package dev.mcpbroker.testkit.upstream;

import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The project's dual-era MCP fixture server ({@code integration-tests/conformance-upstream}) in a child JVM on a
 * free loopback port: the 2025-03-26..2025-11-25 generation (initialize, sessions) and 2026-07-28 (stateless) on one
 * endpoint, or only one of them ({@link Mode}), with the fixtures the MCP conformance suite exercises.
 *
 * <p>Needs the module built: {@code ./mvnw -pl integration-tests/conformance-upstream install} (any build that
 * reaches {@code generate-resources} and {@code compile} of it).
 */
public final class ConformanceUpstream implements AutoCloseable {

    /** Which generations the server serves. */
    public enum Mode {
        DUAL_ERA(List.of()),
        LEGACY_ONLY(List.of("--legacy-only")),
        MODERN_ONLY(List.of("--modern-only"));

        private final List<String> args;

        Mode(List<String> args) {
            this.args = args;
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String MAIN = "dev.mcpbroker.conformance.ConformanceUpstreamMain";
    private static final List<String> JVM_ARGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dsun.net.httpserver.nodelay=true");

    private final ManagedProcess process;
    private final int port;
    private final Mode mode;

    private ConformanceUpstream(ManagedProcess process, int port, Mode mode) {
        this.process = process;
        this.port = port;
        this.mode = mode;
    }

    public static ConformanceUpstream start() {
        return start(Mode.DUAL_ERA);
    }

    /** Starts the server in {@code mode} and waits until it prints that it listens. */
    public static ConformanceUpstream start(Mode mode) {
        return start(mode, List.of());
    }

    /** As {@link #start(Mode)}, with extra program arguments (e.g. {@code --allowed-host broker.internal}). */
    public static ConformanceUpstream start(Mode mode, List<String> extraArgs) {
        Path module = moduleDir();
        Path classes = module.resolve("target").resolve("classes");
        Path classpathFile = module.resolve("target").resolve("runtime-classpath.txt");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException("the conformance upstream is not built: " + classes + " or "
                    + classpathFile + " is missing. Build it with `./mvnw -pl integration-tests/conformance-upstream"
                    + " install` (from " + RepoPaths.repoRoot() + ")");
        }
        String classpath;
        try {
            classpath = classes + java.io.File.pathSeparator + Files.readString(classpathFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = Ports.freePort();
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port)));
        args.addAll(mode.args);
        args.addAll(extraArgs);
        Path log = RepoPaths.callerTarget().resolve("upstream-logs").resolve("conformance-upstream-" + port + ".log");
        ManagedProcess process = ManagedProcess.start("conformance-upstream:" + port,
                ManagedProcess.javaCommand(JVM_ARGS, classpath, MAIN, args), module, Map.of(), log);
        process.awaitLog(START_TIMEOUT, "listening on http://127.0.0.1:" + port);
        return new ConformanceUpstream(process, port, mode);
    }

    /** {@code <repo>/integration-tests/conformance-upstream}. */
    public static Path moduleDir() {
        return RepoPaths.repoRoot().resolve("integration-tests").resolve("conformance-upstream");
    }

    /** {@code http://127.0.0.1:<port>/mcp}. */
    public URI mcpEndpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port + "/mcp");
    }

    public int port() {
        return port;
    }

    public Mode mode() {
        return mode;
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

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "ConformanceUpstream[" + mcpEndpoint() + ", " + mode + ", pid " + pid() + "]";
    }
}
