package dev.mcpbroker.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process started by the test harness: output goes to a log file, readiness is awaited on a
 * condition (never a fixed sleep), and the process is ended by its own PID, with its descendants, when
 * closed or when this JVM exits.
 */
public final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        Runtime.getRuntime().addShutdownHook(new Thread(this::destroyNow, "stop-" + name));
    }

    /** Starts {@code command} in {@code workDir} with extra environment variables; output goes to {@code log}. */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().putAll(env);
            return new ManagedProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
    }

    /** The command line of a child JVM running the same Java as this one. */
    public static List<String> javaCommand(List<String> jvmArgs, String classpath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Waits until {@code ready} holds, failing early (with the log's tail) if the process exits or the
     * timeout passes. A process that never became ready is stopped before the failure is thrown, so no
     * caller leaves one behind.
     */
    public ManagedProcess awaitReady(Duration timeout, BooleanSupplier ready) {
        try {
            return pollUntilReady(timeout, ready);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ManagedProcess pollUntilReady(Duration timeout, BooleanSupplier ready) {
        Instant deadline = Instant.now().plus(timeout);
        long pauseMillis = 10;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready\n" + logTail());
            }
            if (ready.getAsBoolean()) {
                return this;
            }
            try {
                Thread.sleep(pauseMillis); // polling interval of a readiness probe, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 200);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + "\n" + logTail());
    }

    /** Waits until the log contains {@code text}. */
    public ManagedProcess awaitLog(Duration timeout, String text) {
        Objects.requireNonNull(text);
        return awaitReady(timeout, () -> readLog().contains(text));
    }

    /** Runs {@code action} once the process has exited, however it ended. */
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String logTail() {
        String text = readLog();
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** Ends the process abruptly (SIGKILL), as a crash would; used by fault tests. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(10));
    }

    /** Ends the process politely (SIGTERM), then forcibly if it does not exit in time. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!waitForExit(Duration.ofSeconds(10))) {
            destroyNow();
        }
    }

    private void destroyNow() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + "]";
    }
}
