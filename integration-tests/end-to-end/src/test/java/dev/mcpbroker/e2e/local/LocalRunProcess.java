package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.RepoPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code scripts/run-local.sh} as a user starts it from a terminal, for tests: its own process group (a terminal's
 * Ctrl-C reaches every process of the foreground group), SIGINT at its default disposition whatever the test JVM
 * inherited, {@code SKIP_BUILD=1} (the build ran before the tests). Its output is collected line by line.
 */
final class LocalRunProcess implements AutoCloseable {

    static final String READY = "Ctrl-C stops everything.";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Instant started = Instant.now();

    private LocalRunProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("run-local-output").start(this::collect);
    }

    /** Starts the script with {@code args}; {@code env} is added to the environment. */
    static LocalRunProcess start(List<String> args, Map<String, String> env) {
        requireBuilt();
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", "setsid", "scripts/run-local.sh"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(RepoPaths.repoRoot().toFile()).redirectErrorStream(true);
        builder.environment().put("SKIP_BUILD", "1");
        builder.environment().putAll(env);
        try {
            return new LocalRunProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scripts build what is missing; a test must not, so it checks instead. */
    private static void requireBuilt() {
        Path root = RepoPaths.repoRoot();
        for (String file : List.of("functions/broker/target/function.zip", "integration-tests/end-to-end/target/runtime-classpath.txt",
                "scripts/audit-verifier/target/runtime-classpath.txt", "scripts/admin-cli/target/runtime-classpath.txt")) {
            if (!Files.exists(root.resolve(file))) {
                throw new IllegalStateException(file + " is missing: build first (./mvnw -DskipTests install)");
            }
        }
    }

    private void collect() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Everything printed so far. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /**
     * Waits until a line satisfies {@code wanted} and returns the output up to and including it; fails when the
     * process exits first or {@code timeout} passes.
     */
    String awaitLine(Predicate<String> wanted, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (wanted.test(lines.get(seen))) {
                        return String.join("\n", lines.subList(0, seen + 1));
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0 || !process.isAlive() && seen == lines.size()) {
                    throw new AssertionError((process.isAlive() ? "no such line within " + timeout : "run-local exited with "
                            + process.exitValue()) + "; output:\n" + String.join("\n", lines));
                }
                try {
                    lines.wait(Math.min(left, 200)); // woken by every new line; the bound notices the process ending
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** The banner: everything up to the line that says how to stop. */
    String awaitBanner(Duration timeout) {
        return awaitLine(READY::equals, timeout);
    }

    Duration sinceStart() {
        return Duration.between(started, Instant.now());
    }

    long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Waits for the exit; the exit status, or -1 if it is still running after {@code timeout}. */
    int awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** What Ctrl-C in the terminal does: SIGINT to every process of the run's process group. */
    void interrupt() {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + process.pid()).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -INT did not succeed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Clean-up if a test failed before stopping the run: the process and everything it started, forcibly. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
