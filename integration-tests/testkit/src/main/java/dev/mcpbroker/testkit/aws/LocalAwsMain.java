package dev.mcpbroker.testkit.aws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Starts a local AWS environment for a local run of the broker, prints its endpoints and keeps it running until
 * this process is stopped (SIGTERM/SIGINT stop the emulators too).
 *
 * <p>Arguments: {@code [--kind localstack|emulators] [--env-file <path>]}. The env file receives the
 * {@link AwsEnvironment#childEnvironment()} as {@code KEY=VALUE} lines, readable only by the owner; it is written
 * after everything is ready, so a script can wait for it.
 */
public final class LocalAwsMain {

    private LocalAwsMain() {
    }

    public static void main(String[] args) throws Exception {
        Optional<String> kind = Optional.empty();
        Optional<Path> envFile = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kind" -> kind = Optional.of(value(args, ++i));
                case "--env-file" -> envFile = Optional.of(Path.of(value(args, ++i)));
                default -> usage("unknown argument: " + args[i]);
            }
        }
        long begin = System.nanoTime();
        EndpointAwsEnvironment environment = AwsEnvironmentFactory.start(AwsEnvironmentFactory.Settings.fromSystem(), kind);
        Runtime.getRuntime().addShutdownHook(new Thread(environment::close, "stop-local-aws"));
        long millis = (System.nanoTime() - begin) / 1_000_000;

        System.out.println("Local AWS (" + environment.kind() + ") ready in " + millis + " ms");
        System.out.println("  region      " + environment.region().id() + ", account " + environment.accountId()
                + ", access key id " + TestCredentials.ACCESS_KEY_ID + " (static test credentials)");
        System.out.println("  dynamodb        " + environment.dynamoDbEndpoint());
        System.out.println("  kinesis         " + environment.kinesisEndpoint());
        System.out.println("  secretsmanager  " + environment.secretsManagerEndpoint());
        System.out.println("  sts             " + environment.stsEndpoint());
        if (envFile.isPresent()) {
            writeEnvFile(envFile.get(), environment.childEnvironment());
            System.out.println("  environment for child processes written to " + envFile.get());
        }
        System.out.flush();
        Thread.currentThread().join(); // until killed; the shutdown hook stops the environment
    }

    private static void writeEnvFile(Path file, Map<String, String> env) throws IOException {
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort on file systems without POSIX permissions
        }
        Files.writeString(temporary, env.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            usage("missing value for " + args[index - 1]);
        }
        return args[index];
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: LocalAwsMain [--kind localstack|emulators] [--env-file <path>]");
        System.exit(2);
    }
}
