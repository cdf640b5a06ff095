package dev.mcpbroker.testkit.aws.kinesis;

import dev.mcpbroker.testkit.aws.NpmPackage;
import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * kinesis-local (the npm build of kinesis-mock) in a Node.js child process, plain HTTP on 127.0.0.1.
 *
 * <p>The package is installed on first use into a git-ignored cache shared by all checkouts' builds
 * ({@code <repo>/.tools/npm/kinesis-local}). kinesis-mock has no listen-address setting and listens on all
 * interfaces, so Node preloads a script that makes its servers listen on 127.0.0.1.
 */
public final class KinesisLocal implements AutoCloseable {

    public static final String PACKAGE = "kinesis-local";
    public static final String VERSION = "0.6.2";
    private static final String PRELOAD_RESOURCE = "loopback-preload.js";

    private final ManagedProcess process;
    private final URI endpoint;

    private KinesisLocal(ManagedProcess process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * Installs kinesis-local if needed, starts it and returns once a ListStreams call succeeds.
     *
     * @param cache        the npm cache directory for this package, e.g. {@code <repo>/.tools/npm/kinesis-local}
     * @param node         the Node.js executable
     * @param logDirectory where the output of npm and of the child goes
     * @param port         the (plain HTTP) port on 127.0.0.1, or 0 for any free one
     * @param tlsPort      the port of the TLS listener kinesis-local always opens (unused), or 0 for any free one
     */
    public static KinesisLocal start(Path cache, String node, Path logDirectory, Region region, String accountId,
                                     AwsCredentialsProvider credentials, Duration timeout, int port, int tlsPort) {
        Path packageDir = install(cache, node, logDirectory);
        Path preload = preloadScript(cache);
        int plainPort = port == 0 ? Ports.freePort() : port;
        int tlsListenPort = tlsPort == 0 ? Ports.freePort() : tlsPort;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KINESIS_MOCK_CERT_PATH", packageDir.resolve("server.json").toString());
        env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plainPort));
        // The TLS listener cannot be turned off; it gets a loopback port of its own and is not used.
        env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(tlsListenPort));
        env.put("LOOPBACK_HOST", Ports.LOOPBACK);
        env.put("AWS_REGION", region.id());
        env.put("AWS_ACCOUNT_ID", accountId);
        env.put("LOG_LEVEL", "WARN");
        List<String> command = List.of(node, "--require", preload.toString(), packageDir.resolve("main.js").toString());
        ManagedProcess process = ManagedProcess.start("kinesis-local", command, cache, env,
                logDirectory.resolve("kinesis-local-" + plainPort + ".log"));
        URI endpoint = URI.create("http://" + Ports.LOOPBACK + ":" + plainPort);
        try (KinesisClient probe = probeClient(endpoint, region, credentials)) {
            process.awaitReady(timeout, () -> Ports.isListening(plainPort) && answersListStreams(probe));
        }
        return new KinesisLocal(process, endpoint);
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
        return "kinesis-local[" + endpoint + ", pid " + process.pid() + "]";
    }

    /** {@code npm install} into the cache unless the pinned version is there. */
    static Path install(Path cache, String node, Path logDirectory) {
        return NpmPackage.install(cache, node, logDirectory, PACKAGE, VERSION, "main.js");
    }

    /** The preload script is a class-path resource; node needs it as a file. */
    private static Path preloadScript(Path cache) {
        return NpmPackage.resourceFile(KinesisLocal.class, "/dev/mcpbroker/testkit/aws/kinesis/" + PRELOAD_RESOURCE, cache,
                PRELOAD_RESOURCE);
    }

    private static boolean answersListStreams(KinesisClient probe) {
        try {
            probe.listStreams();
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** One attempt per probe, short timeouts: the readiness loop does the retrying. */
    private static KinesisClient probeClient(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        return KinesisClient.builder()
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
}
