package dev.mcpbroker.testkit.aws.dynamodb;

import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local ({@code com.amazonaws:DynamoDBLocal}) in a child JVM of its own, in memory, on 127.0.0.1.
 *
 * <p>Its own JVM because DynamoDB Local brings Jetty 12, log4j, SDK v1, an old Mockito and more, in the versions
 * its POM declares; the testkit build resolves exactly those into {@code target/dynamodb-local/lib} and no test
 * classpath ever sees them.
 */
public final class DynamoDbLocal implements AutoCloseable {

    private static final String LAUNCHER = DynamoDbLocalLauncher.class.getName();

    private final ManagedProcess process;
    private final URI endpoint;

    private DynamoDbLocal(ManagedProcess process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * Starts DynamoDB Local and returns once a ListTables call succeeds.
     *
     * @param installation the directory the testkit build prepared ({@code lib/} holds jars and native libraries)
     * @param logDirectory where the child's output goes
     * @param port         the port on 127.0.0.1, or 0 for any free one
     */
    public static DynamoDbLocal start(Path installation, Path logDirectory, Region region, AwsCredentialsProvider credentials,
                                      Duration timeout, int port) {
        Path lib = installation.resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("DynamoDB Local is not installed in " + lib
                    + ": build the testkit module (./mvnw -pl integration-tests/testkit install)");
        }
        int listenPort = port == 0 ? Ports.freePort() : port;
        List<String> jvmArgs = List.of(
                // sqlite4java loads its native library from here
                "-Dsqlite4java.library.path=" + lib,
                "-Djava.library.path=" + lib,
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC");
        String classpath = launcherClasspath(logDirectory) + File.pathSeparator + lib.resolve("*");
        List<String> command = ManagedProcess.javaCommand(jvmArgs, classpath, LAUNCHER,
                List.of(Ports.LOOPBACK, "-inMemory", "-port", Integer.toString(listenPort), "-disableTelemetry"));
        ManagedProcess process = ManagedProcess.start("dynamodb-local", command, installation,
                Map.of("DDB_LOCAL_TELEMETRY", "0"), logDirectory.resolve("dynamodb-local-" + listenPort + ".log"));
        URI endpoint = URI.create("http://" + Ports.LOOPBACK + ":" + listenPort);
        try (DynamoDbClient probe = probeClient(endpoint, region, credentials)) {
            process.awaitReady(timeout, () -> Ports.isListening(listenPort) && answersListTables(probe));
        }
        return new DynamoDbLocal(process, endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "DynamoDB Local[" + endpoint + ", pid " + process.pid() + "]";
    }

    private static boolean answersListTables(DynamoDbClient probe) {
        try {
            probe.listTables();
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** One attempt per probe, short timeouts: the readiness loop does the retrying. */
    private static DynamoDbClient probeClient(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofMillis(500))
                        .socketTimeout(Duration.ofSeconds(2))
                        .build())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(3)))
                .build();
    }

    /**
     * Where the child JVM finds the launcher class: the testkit's classes directory or jar; when the class was
     * loaded from somewhere a child JVM cannot use (a custom class loader), a copy of its class file.
     */
    private static String launcherClasspath(Path scratch) {
        try {
            var source = DynamoDbLocalLauncher.class.getProtectionDomain().getCodeSource();
            if (source != null && "file".equals(source.getLocation().getProtocol())) {
                return Path.of(source.getLocation().toURI()).toString();
            }
            Path root = scratch.resolve("dynamodb-local-launcher");
            String resource = LAUNCHER.replace('.', '/') + ".class";
            Path target = root.resolve(resource);
            Files.createDirectories(target.getParent());
            try (InputStream in = DynamoDbLocalLauncher.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("cannot find " + resource);
                }
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
