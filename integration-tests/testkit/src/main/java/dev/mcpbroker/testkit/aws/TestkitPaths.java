package dev.mcpbroker.testkit.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where things live on disk: what the testkit build prepared (DynamoDB Local), the repository's git-ignored tool
 * cache ({@code .tools/}) and the log directory of the process that runs the environment.
 */
public final class TestkitPaths {

    private static final String RESOURCE = "testkit-paths.properties";

    private final Properties buildTime;
    private final Path workingDirectory;

    private TestkitPaths(Properties buildTime, Path workingDirectory) {
        this.buildTime = buildTime;
        this.workingDirectory = workingDirectory;
    }

    /** Paths as seen from this JVM's working directory. */
    public static TestkitPaths current() {
        Properties properties = new Properties();
        try (InputStream in = TestkitPaths.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing: testkit was not built with Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestkitPaths(properties, Path.of(System.getProperty("user.dir")).toAbsolutePath());
    }

    /** DynamoDB Local's jars and native libraries, resolved by the testkit build from DynamoDB Local's own POM. */
    public Path dynamoDbLocalDirectory() {
        return Path.of(buildTime.getProperty("dynamodb-local.dir"));
    }

    public String dynamoDbLocalVersion() {
        return buildTime.getProperty("dynamodb-local.version");
    }

    /**
     * The repository root: the nearest directory above the working directory that holds {@code mvnw}; when run from
     * elsewhere, the root the testkit was built in.
     */
    public Path repositoryRoot() {
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        String builtIn = buildTime.getProperty("repository.root", "");
        return builtIn.isBlank() || builtIn.startsWith("${") ? workingDirectory : Path.of(builtIn);
    }

    /** The git-ignored cache for tools installed on demand (npm packages). */
    public Path toolsDirectory() {
        return repositoryRoot().resolve(".tools");
    }

    /** Logs of child processes: {@code target/aws-emulators} under the working directory (a module, in tests). */
    public Path logDirectory() {
        return workingDirectory.resolve("target").resolve("aws-emulators");
    }
}
