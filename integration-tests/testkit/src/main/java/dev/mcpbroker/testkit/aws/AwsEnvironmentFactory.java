package dev.mcpbroker.testkit.aws;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides which local AWS to start, from settings read once from the system properties and environment, and keeps
 * the per-JVM shared instance.
 */
final class AwsEnvironmentFactory {

    static final String LOCALSTACK = "localstack";
    static final String EMULATORS = "emulators";

    private static final System.Logger LOG = System.getLogger(AwsEnvironmentFactory.class.getName());
    /** Asking Docker is bounded: a stuck daemon or socket must not stall every test JVM. */
    private static final Duration DOCKER_CHECK_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EMULATOR_START_TIMEOUT = Duration.ofSeconds(60);

    private static EndpointAwsEnvironment shared;
    private static RuntimeException sharedFailure;

    private AwsEnvironmentFactory() {
    }

    /** The machine-dependent inputs, read once; the rest of the code never looks at the environment. */
    record Settings(Optional<String> override, Optional<String> nodeBinary, Optional<String> dockerHost,
                    Optional<String> xdgRuntimeDir, Path userHome, boolean windows) {

        static Settings fromSystem() {
            Map<String, String> env = System.getenv();
            return new Settings(
                    Optional.ofNullable(System.getProperty(AwsEnvironment.OVERRIDE)).or(() -> Optional.ofNullable(env.get(AwsEnvironment.OVERRIDE)))
                            .map(String::trim).filter(value -> !value.isEmpty()),
                    Optional.ofNullable(env.get("NODE_BINARY")).filter(value -> !value.isBlank()),
                    Optional.ofNullable(env.get("DOCKER_HOST")).filter(value -> !value.isBlank()),
                    Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).filter(value -> !value.isBlank()),
                    Path.of(System.getProperty("user.home")),
                    System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows"));
        }
    }

    static synchronized AwsEnvironment shared() {
        if (sharedFailure != null) {
            throw new IllegalStateException("the shared AWS environment failed to start earlier in this JVM", sharedFailure);
        }
        if (shared == null) {
            try {
                EndpointAwsEnvironment environment = start(Settings.fromSystem(), Optional.empty());
                environment.markShared();
                Runtime.getRuntime().addShutdownHook(new Thread(environment::stop, "stop-shared-aws-environment"));
                shared = environment;
            } catch (RuntimeException e) {
                sharedFailure = e;
                throw e;
            }
        }
        return shared;
    }

    static AwsEnvironment start() {
        return start(Settings.fromSystem(), Optional.empty());
    }

    /** Starts {@code kind} if given, else what the override says, else LocalStack if Docker runs, else the emulators. */
    static EndpointAwsEnvironment start(Settings settings, Optional<String> kind) {
        String chosen = kind.or(settings::override).map(value -> value.toLowerCase(Locale.ROOT)).orElseGet(() -> detect(settings));
        return switch (chosen) {
            case LOCALSTACK -> LocalStackAwsEnvironment.start();
            case EMULATORS -> EmulatorAwsEnvironment.start(emulatorSettings(settings, EmulatorPorts.ANY));
            default -> throw new IllegalArgumentException(
                    AwsEnvironment.OVERRIDE + " must be " + LOCALSTACK + " or " + EMULATORS + ", not '" + chosen + "'");
        };
    }

    /** The emulators on {@code ports}, whatever else the machine offers. */
    static EndpointAwsEnvironment startEmulators(Settings settings, EmulatorPorts ports) {
        return EmulatorAwsEnvironment.start(emulatorSettings(settings, ports));
    }

    private static EmulatorAwsEnvironment.Settings emulatorSettings(Settings settings, EmulatorPorts ports) {
        TestkitPaths paths = TestkitPaths.current();
        return new EmulatorAwsEnvironment.Settings(
                paths.dynamoDbLocalDirectory(),
                paths.toolsDirectory().resolve("npm").resolve("kinesis-local"),
                paths.toolsDirectory().resolve("npm").resolve("s3rver"),
                settings.nodeBinary().orElse("node"),
                paths.logDirectory(),
                EMULATOR_START_TIMEOUT,
                ports);
    }

    private static String detect(Settings settings) {
        return dockerAvailable(settings) ? LOCALSTACK : EMULATORS;
    }

    /**
     * Whether a Docker engine answers. Testcontainers is asked only when a Docker endpoint could exist at all: without
     * one, it would try every strategy and log each failure, in every test JVM.
     */
    static boolean dockerAvailable(Settings settings) {
        if (!dockerEndpointMayExist(settings)) {
            return false;
        }
        CompletableFuture<Boolean> check = CompletableFuture.supplyAsync(
                () -> org.testcontainers.DockerClientFactory.instance().isDockerAvailable(),
                task -> Thread.ofPlatform().daemon().name("docker-check").start(task));
        try {
            return check.get(DOCKER_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "Docker did not answer within {0}; using the emulators", DOCKER_CHECK_TIMEOUT);
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The places Testcontainers' strategies look for a Docker engine (environment, config, well-known sockets). */
    private static boolean dockerEndpointMayExist(Settings settings) {
        if (settings.windows() || settings.dockerHost().isPresent()) {
            return true; // named pipes cannot be probed as files; DOCKER_HOST may point anywhere
        }
        Path home = settings.userHome();
        if (Files.isRegularFile(home.resolve(".testcontainers.properties"))) {
            return true; // may name docker.host or tc.host
        }
        return Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(home.resolve(".docker/run/docker.sock"))
                || Files.exists(home.resolve(".docker/desktop/docker.sock"))
                || Files.exists(home.resolve(".colima/default/docker.sock"))
                || Files.exists(home.resolve(".rd/docker.sock"))
                || settings.xdgRuntimeDir().map(dir -> Files.exists(Path.of(dir, "docker.sock"))).orElse(false);
    }
}
