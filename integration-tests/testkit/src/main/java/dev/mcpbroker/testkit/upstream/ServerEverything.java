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
import java.util.List;
import java.util.Map;

/**
 * The reference MCP server {@code @modelcontextprotocol/server-everything} (pinned in
 * {@code integration-tests/node/package.json}) in Streamable HTTP mode, in a Node.js child process on a free
 * loopback port.
 *
 * <p>It listens on every interface and has no host setting, so node preloads a script that forces its listen onto
 * 127.0.0.1. It runs with an empty environment (only PATH, HOME and PORT), because its {@code get-env} tool returns
 * the whole environment of the process: never call {@code get-env} in a test whose output is kept, and never
 * expose it through a broker.
 *
 * <p>Known behaviour (see the design field notes): answers every request as {@code text/event-stream}; an unknown
 * or deleted session gets 400, not 404.
 */
public final class ServerEverything implements AutoCloseable {

    /** The pinned npm version (must match integration-tests/node/package.json). */
    public static final String VERSION = "2026.8.31";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String PRELOAD_RESOURCE = "loopback-listen.cjs";

    private static Path preload;

    private final ManagedProcess process;
    private final int port;

    private ServerEverything(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Installs Node and the npm project if needed, starts the server and waits until its port accepts connections. */
    public static ServerEverything start() {
        Path node = NodeTools.node();
        Path entry = NodeTools.nodeModules().resolve("@modelcontextprotocol/server-everything/dist/index.js");
        if (!Files.isRegularFile(entry)) {
            throw new IllegalStateException(entry + " is missing after npm ci in " + NodeTools.nodeProject());
        }
        int port = Ports.freePort();
        Path home = RepoPaths.callerTarget().resolve("upstream-logs").resolve("server-everything-home");
        List<String> command = List.of("/usr/bin/env", "-i",
                "PATH=" + node.getParent() + ":/usr/bin:/bin",
                "HOME=" + home,
                "PORT=" + port,
                node.toString(), "--require", preloadFile().toString(), entry.toString(), "streamableHttp");
        Path log = RepoPaths.callerTarget().resolve("upstream-logs").resolve("server-everything-" + port + ".log");
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcess process = ManagedProcess.start("server-everything:" + port, command, NodeTools.nodeProject(),
                Map.of(), log);
        process.awaitReady(START_TIMEOUT, () -> Ports.isListening(port));
        return new ServerEverything(process, port);
    }

    /** {@code http://127.0.0.1:<port>/mcp}. */
    public URI mcpEndpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port + "/mcp");
    }

    public int port() {
        return port;
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
        return "ServerEverything[" + mcpEndpoint() + ", pid " + pid() + "]";
    }

    private static synchronized Path preloadFile() {
        if (preload == null || !Files.isRegularFile(preload)) {
            preload = NodeTools.resourceToFile(PRELOAD_RESOURCE, "loopback-listen-", ".cjs");
        }
        return preload;
    }
}
