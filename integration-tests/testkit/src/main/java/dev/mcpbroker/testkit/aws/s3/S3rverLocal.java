package dev.mcpbroker.testkit.aws.s3;

import dev.mcpbroker.testkit.aws.NpmPackage;
import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S3 on 127.0.0.1: s3rver from npm (an S3 emulator storing objects on the local file system and speaking the REST
 * protocol: buckets, PUT/GET, ListObjectsV2 with continuation tokens) in a Node.js child process. It knows the
 * testkit's access key and refuses others, but does not verify Signature V4 signatures. Installed on first use into a
 * git-ignored cache ({@code <repo>/.tools/npm/s3rver}); its data lives in a fresh directory per start.
 */
public final class S3rverLocal implements AutoCloseable {

    public static final String PACKAGE = "s3rver";
    public static final String VERSION = "3.7.1";
    private static final String LAUNCHER = "s3rver-launch.js";

    private final ManagedProcess process;
    private final URI endpoint;

    private S3rverLocal(ManagedProcess process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /**
     * Installs s3rver if needed, starts it and returns once it accepts connections.
     *
     * @param accessKeyId     the identity requests are signed with (registered as an s3rver account; others are refused)
     * @param secretAccessKey its secret, a well-known test placeholder
     */
    public static S3rverLocal start(Path cache, String node, Path logDirectory, String accountId, String accessKeyId,
                                    String secretAccessKey, Duration timeout) {
        Path packageDir = NpmPackage.install(cache, node, logDirectory, PACKAGE, VERSION, "lib/s3rver.js");
        Path launcher = NpmPackage.resourceFile(S3rverLocal.class, "/dev/mcpbroker/testkit/aws/s3/" + LAUNCHER, cache, LAUNCHER);
        int port = Ports.freePort();
        Path data;
        try {
            data = Files.createTempDirectory(logDirectory, "s3rver-data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("S3RVER_PACKAGE_DIR", packageDir.toString());
        env.put("S3RVER_PORT", Integer.toString(port));
        env.put("S3RVER_DIRECTORY", data.toString());
        env.put("S3RVER_ACCOUNT_ID", accountId);
        env.put("S3RVER_ACCESS_KEY_ID", accessKeyId);
        env.put("S3RVER_SECRET_ACCESS_KEY", secretAccessKey);
        // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
        ManagedProcess process = ManagedProcess.start("s3rver", List.of(node, "--openssl-legacy-provider", launcher.toString()),
                cache, env,
                logDirectory.resolve("s3rver-" + port + ".log"));
        process.awaitReady(timeout, () -> Ports.isListening(port));
        return new S3rverLocal(process, URI.create("http://" + Ports.LOOPBACK + ":" + port));
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "s3rver[" + endpoint + ", pid " + process.pid() + "]";
    }
}
