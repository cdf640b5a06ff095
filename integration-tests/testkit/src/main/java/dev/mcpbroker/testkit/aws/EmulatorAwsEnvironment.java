package dev.mcpbroker.testkit.aws;

import dev.mcpbroker.testkit.aws.dynamodb.DynamoDbLocal;
import dev.mcpbroker.testkit.aws.emulator.AwsProtocolEmulatorServer;
import dev.mcpbroker.testkit.aws.emulator.SecretsManagerEmulator;
import dev.mcpbroker.testkit.aws.emulator.StsEmulator;
import dev.mcpbroker.testkit.aws.kinesis.KinesisLocal;
import dev.mcpbroker.testkit.aws.s3.S3rverLocal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The emulators, all on 127.0.0.1: DynamoDB Local in a child JVM, kinesis-local in a Node.js child process, the
 * testkit's own Secrets Manager and STS emulators in this JVM, and, on first use, s3rver in another Node.js process.
 */
final class EmulatorAwsEnvironment extends EndpointAwsEnvironment {

    private static final System.Logger LOG = System.getLogger(EmulatorAwsEnvironment.class.getName());

    /** What the emulators need from the machine, decided once by the factory. */
    record Settings(Path dynamoDbLocalDirectory, Path kinesisLocalCache, Path s3rverCache, String node, Path logDirectory,
                    Duration startTimeout, EmulatorPorts ports) {
    }

    private final List<AutoCloseable> services;
    private final Settings settings;
    private S3rverLocal s3;

    private EmulatorAwsEnvironment(Endpoints endpoints, List<AutoCloseable> services, Settings settings) {
        super("emulators", endpoints);
        this.services = services;
        this.settings = settings;
    }

    @Override
    protected synchronized URI startS3() {
        s3 = timed("s3rver", () -> S3rverLocal.start(settings.s3rverCache(), settings.node(), settings.logDirectory(),
                TestCredentials.ACCOUNT_ID, TestCredentials.ACCESS_KEY_ID, TestCredentials.SECRET_ACCESS_KEY,
                settings.startTimeout()));
        return s3.endpoint();
    }

    static EmulatorAwsEnvironment start(Settings settings) {
        List<AutoCloseable> started = new ArrayList<>();
        try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
            // The two child processes start in parallel; the in-process servers meanwhile.
            Future<DynamoDbLocal> dynamoDb = starter.submit(() -> timed("DynamoDB Local", () -> DynamoDbLocal.start(
                    settings.dynamoDbLocalDirectory(), settings.logDirectory(), TestCredentials.REGION, TestCredentials.PROVIDER,
                    settings.startTimeout(), settings.ports().dynamoDb())));
            Future<KinesisLocal> kinesis = starter.submit(() -> timed("kinesis-local", () -> KinesisLocal.start(
                    settings.kinesisLocalCache(), settings.node(), settings.logDirectory(), TestCredentials.REGION,
                    TestCredentials.ACCOUNT_ID, TestCredentials.PROVIDER, settings.startTimeout(), settings.ports().kinesis(),
                    settings.ports().kinesisTls())));
            AwsProtocolEmulatorServer secretsManager = AwsProtocolEmulatorServer.start("secretsmanager",
                    new SecretsManagerEmulator(TestCredentials.REGION.id(), TestCredentials.ACCOUNT_ID, Clock.systemUTC()),
                    settings.ports().secretsManager());
            started.add(secretsManager);
            AwsProtocolEmulatorServer sts = AwsProtocolEmulatorServer.start("sts",
                    new StsEmulator(TestCredentials.ACCOUNT_ID, Clock.systemUTC()), settings.ports().sts());
            started.add(sts);
            DynamoDbLocal dynamoDbLocal = collect(dynamoDb, started);
            KinesisLocal kinesisLocal = collect(kinesis, started);
            if (dynamoDbLocal == null || kinesisLocal == null) {
                throw failure(dynamoDb, kinesis);
            }
            Endpoints endpoints = new Endpoints(dynamoDbLocal.endpoint(), kinesisLocal.endpoint(), secretsManager.endpoint(), sts.endpoint());
            return new EmulatorAwsEnvironment(endpoints, List.copyOf(started.reversed()), settings);
        } catch (RuntimeException e) {
            closeAll(started.reversed());
            throw e;
        }
    }

    @Override
    protected void stopServices() {
        synchronized (this) {
            if (s3 != null) {
                closeAll(List.of(s3));
            }
        }
        closeAll(services);
    }

    private static <T> T timed(String name, Supplier<T> start) {
        long begin = System.nanoTime();
        T service = start.get();
        LOG.log(System.Logger.Level.INFO, "{0} ready in {1} ms: {2}", name, (System.nanoTime() - begin) / 1_000_000, service);
        return service;
    }

    /** The started service, also recorded for clean-up; null when its start failed. */
    private static <T extends AutoCloseable> T collect(Future<T> future, List<AutoCloseable> started) {
        try {
            T service = future.get();
            started.add(service);
            return service;
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static RuntimeException failure(Future<?>... futures) {
        RuntimeException failure = null;
        for (Future<?> future : futures) {
            if (future.state() == Future.State.FAILED) {
                Throwable cause = future.exceptionNow();
                if (failure == null) {
                    failure = cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        return failure != null ? failure : new IllegalStateException("interrupted while starting the emulators");
    }

    private static void closeAll(List<AutoCloseable> services) {
        for (AutoCloseable service : services) {
            try {
                service.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "could not stop " + service, e);
            }
        }
    }
}
