package dev.mcpbroker.testkit.aws;

import dev.mcpbroker.testkit.process.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An emulator shipped as an npm package, installed on first use into a git-ignored cache shared by all checkouts'
 * builds ({@code <repo>/.tools/npm/<package>}), at a pinned version.
 */
public final class NpmPackage {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);

    private NpmPackage() {
    }

    /**
     * {@code npm install} into {@code cache} unless the pinned version is there; returns the package's directory. A
     * file lock keeps JVMs that start at the same moment (parallel test modules) from installing over each other.
     *
     * @param requiredFile a file of the package (relative to its directory) that proves it is installed
     */
    public static Path install(Path cache, String node, Path logDirectory, String name, String version, String requiredFile) {
        Path packageDir = cache.resolve("node_modules").resolve(name);
        try {
            Files.createDirectories(cache);
            try (FileChannel channel = FileChannel.open(cache.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (isInstalled(packageDir, version, requiredFile)) {
                    return packageDir;
                }
                // Without a package.json here npm would install into the nearest ancestor that has one.
                Path manifest = cache.resolve("package.json");
                if (!Files.exists(manifest)) {
                    Files.writeString(manifest, "{\"name\":\"mcp-broker-tools\",\"private\":true}\n");
                }
                List<String> command = List.of(npm(node), "install", "--no-audit", "--no-fund", "--prefix", cache.toString(),
                        name + "@" + version);
                try (ManagedProcess npm = ManagedProcess.start("npm-install-" + name, command, cache, Map.of(),
                        logDirectory.resolve("npm-install-" + name + ".log"))) {
                    awaitExit(npm, INSTALL_TIMEOUT);
                    if (!isInstalled(packageDir, version, requiredFile)) {
                        throw new IllegalStateException("npm did not install " + name + "@" + version + " into " + cache
                                + "\n" + npm.logTail());
                    }
                }
                return packageDir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class-path resource as a file in {@code directory} (node needs files), rewritten only when it changed. */
    public static Path resourceFile(Class<?> owner, String resource, Path directory, String fileName) {
        Path target = directory.resolve(fileName);
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the testkit");
            }
            byte[] script = in.readAllBytes();
            if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), script)) {
                // written aside and moved, so that a JVM starting node at the same moment never reads half a file
                Path temporary = Files.createTempFile(directory, fileName, ".tmp");
                Files.write(temporary, script);
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isInstalled(Path packageDir, String version, String requiredFile) throws IOException {
        Path manifest = packageDir.resolve("package.json");
        return Files.isRegularFile(packageDir.resolve(requiredFile))
                && Files.isRegularFile(manifest)
                && Files.readString(manifest).replace(" ", "").contains("\"version\":\"" + version + "\"");
    }

    private static void awaitExit(ManagedProcess process, Duration timeout) {
        ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
        if (handle == null) {
            return; // already gone
        }
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(process.name() + " did not finish within " + timeout + "\n" + process.logTail(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + process.name(), e);
        }
    }

    /** npm next to the chosen node when there is one (a node from NODE_BINARY), else npm on the PATH. */
    private static String npm(String node) {
        Path sibling = Path.of(node).resolveSibling("npm");
        return Path.of(node).getParent() != null && Files.isExecutable(sibling) ? sibling.toString() : "npm";
    }
}
