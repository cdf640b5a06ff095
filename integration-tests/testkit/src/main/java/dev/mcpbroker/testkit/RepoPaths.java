package dev.mcpbroker.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is on disk, seen from this JVM's working directory (a module directory, in tests). */
public final class RepoPaths {

    private RepoPaths() {
    }

    /**
     * The repository root: the nearest directory at or above the working directory that holds {@code mvnw}.
     *
     * @throws IllegalStateException when no such directory exists
     */
    public static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory holding mvnw at or above " + start
                + ": run from inside the mcp-broker repository");
    }

    /** {@code <repo>/.tools}: the git-ignored cache for tools installed on demand. */
    public static Path toolsDir() {
        return repoRoot().resolve(".tools");
    }

    /** {@code target/} under the working directory: where a module's tests put logs of the processes they start. */
    public static Path callerTarget() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("target");
    }
}
