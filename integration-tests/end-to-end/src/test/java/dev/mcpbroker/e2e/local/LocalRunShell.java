package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs commands as a user pastes them into bash, in the repository's root. */
final class LocalRunShell {

    record Result(int status, String output) {
    }

    private LocalRunShell() {
    }

    static Result run(String script) {
        try {
            Process bash = new ProcessBuilder("bash", "-c", script).directory(RepoPaths.repoRoot().toFile())
                    .redirectErrorStream(true).start();
            bash.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!bash.waitFor(120, TimeUnit.SECONDS)) {
                bash.descendants().forEach(ProcessHandle::destroyForcibly);
                bash.destroyForcibly();
                throw new AssertionError("still running after 120 s: " + script);
            }
            return new Result(bash.exitValue(), output.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
