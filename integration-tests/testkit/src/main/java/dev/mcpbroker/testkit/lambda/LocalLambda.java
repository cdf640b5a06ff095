package dev.mcpbroker.testkit.lambda;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.testkit.process.ManagedProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * One deployed Lambda function, locally: a {@link LambdaRuntimeApi} on 127.0.0.1 (behind a {@link LocalApiGateway}
 * for an HTTP function, invoked directly by an event source otherwise) and a function process running the
 * packaged {@code function.zip} under AWS's runtime interface client, the same bootstrap the managed
 * {@code java21} runtime uses. Killing the process behaves like a crashed execution environment: the gateway
 * stays, in-flight requests fail, and {@link #restartFunction()} starts a fresh (cold) one.
 */
public final class LocalLambda implements FunctionInvoker, AutoCloseable {

    private static final Map<Path, Path> UNPACKED = new ConcurrentHashMap<>();

    /** The handler Quarkus generates for every Lambda function it packages. */
    public static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    private final String name;
    private final Path taskRoot;
    private final String handler;
    private final Map<String, String> environment;
    private final Path logDir;
    private final LambdaRuntimeApi runtime;
    private final LocalApiGateway gateway;
    private volatile ManagedProcess function;
    private volatile long pollsBeforeStart;
    private int generation;
    private boolean closed;

    private LocalLambda(String name, Path taskRoot, String handler, Map<String, String> environment, Path logDir,
                        LocalApiGateway gateway, LambdaRuntimeApi runtime) {
        this.name = name;
        this.taskRoot = taskRoot;
        this.handler = handler;
        this.environment = Map.copyOf(environment);
        this.logDir = logDir;
        this.gateway = gateway;
        this.runtime = runtime;
    }

    /**
     * Unpacks {@code functionZip} (as Lambda does into {@code /var/task}) and starts the function behind an HTTP API
     * on any free port.
     *
     * @param environment the function's environment variables (configuration, AWS endpoints, credentials)
     */
    public static LocalLambda start(String name, Path functionZip, String handler, Map<String, String> environment,
                                    Path logDir, Duration timeout) {
        return start(name, functionZip, handler, environment, logDir, timeout, 0);
    }

    /** As {@link #start(String, Path, String, Map, Path, Duration)}, with the HTTP API on {@code port} (0: any). */
    public static LocalLambda start(String name, Path functionZip, String handler, Map<String, String> environment,
                                    Path logDir, Duration timeout, int port) {
        LocalApiGateway gateway = LocalApiGateway.start(port, timeout);
        return started(new LocalLambda(name, taskRoot(functionZip, logDir, gateway), handler,
                environment, logDir, gateway, gateway.runtime()));
    }

    /**
     * A function that event sources and schedules invoke ({@link #invoke}), with no HTTP API in front: e.g. a
     * function fed by a DynamoDB stream.
     */
    public static LocalLambda startInvokable(String name, Path functionZip, String handler, Map<String, String> environment,
                                             Path logDir, Duration timeout) {
        LambdaRuntimeApi runtime = LambdaRuntimeApi.start(0, timeout);
        return started(new LocalLambda(name, taskRoot(functionZip, logDir, runtime), handler,
                environment, logDir, null, runtime));
    }

    private static LocalLambda started(LocalLambda lambda) {
        try {
            lambda.restartFunction();
        } catch (RuntimeException e) {
            lambda.close();
            throw e;
        }
        return lambda;
    }

    /** The function's name ({@code AWS_LAMBDA_FUNCTION_NAME}). */
    public String name() {
        return name;
    }

    /** The API's base URL, e.g. {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return gateway().baseUri();
    }

    public LocalApiGateway gateway() {
        if (gateway == null) {
            throw new IllegalStateException(name + " has no HTTP API: it is invoked directly");
        }
        return gateway;
    }

    /**
     * Invokes the function with {@code event} (JSON) and returns its answer, as Lambda's Invoke API does for event
     * source mappings and schedules.
     *
     * @throws LambdaRuntimeApi.FunctionError when there is no answer (function error, crash, timeout)
     */
    @Override
    public JsonNode invoke(byte[] event) {
        return runtime.invoke(event);
    }

    /**
     * Waits until the current function process has initialised its handler (the runtime client asks for its first
     * invocation only then), failing early with the log's tail if the process exits.
     */
    public LocalLambda awaitReady(Duration timeout) {
        long before = pollsBeforeStart;
        function.awaitReady(timeout, () -> runtime.nextInvocationRequests() > before);
        return this;
    }

    /** When the current function process finished its init phase (asked for its first invocation), if it has. */
    public OptionalLong initCompletedAtNanos() {
        return runtime.initCompletedAtNanos();
    }

    /** The local Lambda runtime API this function polls: invocation counts and durations. */
    public LambdaRuntimeApi runtime() {
        return runtime;
    }

    /** What the current function process has written to stdout and stderr (its CloudWatch log, in Lambda). */
    public String functionLog() {
        return function.readLog();
    }

    public long functionPid() {
        return function.pid();
    }

    public boolean functionAlive() {
        return function != null && function.isAlive();
    }

    /** Kills the function process (SIGKILL), as a crash or a recycled execution environment would. */
    public void killFunction() {
        function.kill();
        runtime.functionDied();
    }

    /** Starts a new function process; the previous one, if any, is ended first. */
    public synchronized void restartFunction() {
        if (function != null) {
            function.close();
            runtime.functionDied();
        }
        generation++;
        pollsBeforeStart = runtime.nextInvocationRequests();
        Map<String, String> env = new HashMap<>(environment);
        env.put("AWS_LAMBDA_RUNTIME_API", runtime.runtimeApi());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("_HANDLER", handler);
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
        env.putIfAbsent("AWS_REGION", "us-east-1");
        // The JVM flags the managed java21 runtime starts functions with, plus what newer JDKs need when no
        // JDK 21 is at hand: JBoss threads reset thread locals reflectively, the runtime client loads JNI (a copy
        // no other start overwrites, see RuntimeClientLibrary).
        List<String> jvm = List.of("-XX:+UseSerialGC", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "-Xmx384m", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                RuntimeClientLibrary.jvmOption(logDir.resolve("lambda-runtime")));
        List<String> command = ManagedProcess.javaCommand(jvm, classpath(), AWSLambda.class.getName(), List.of(handler));
        ManagedProcess started = ManagedProcess.start(name + "-" + generation, command, taskRoot, env,
                logDir.resolve(name + "-" + generation + ".log"));
        started.onExit(runtime::functionDied);
        function = started;
    }

    /**
     * Ends the whole instance at once, as a lost host or a killed container would, for load-balancer fault tests:
     * the gateway drops every connection first (callers in flight see a reset, never an answer, and new
     * connections are refused), then the function process is SIGKILLed. Unlike {@link #killFunction()} nothing
     * stays to answer on the dead function's behalf.
     */
    public synchronized void crash() {
        if (closed) {
            return;
        }
        closed = true;
        runtime.close();
        if (function != null) {
            function.kill();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (function != null) {
            function.close();
        }
        runtime.close();
    }

    /**
     * The runtime interface client and its dependencies only, as in Lambda's managed runtime: the client loads the
     * function from {@code LAMBDA_TASK_ROOT} ({@code /var/task}, {@code /var/task/lib/*.jar}) with a class loader of
     * its own, so the JVM's class path holds no directory of the function. That is what a class-data archive
     * (AppCDS, {@code JAVA_TOOL_OPTIONS}) is checked against, and it refuses a non-empty directory.
     */
    private String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(jarOf(AWSLambda.class));
        entries.add(jarOf(com.amazonaws.services.lambda.runtime.Context.class));
        entries.add(jarOf(com.amazonaws.services.lambda.runtime.serialization.PojoSerializer.class));
        entries.add(jarOf(software.amazon.awssdk.utilslite.SdkInternalThreadLocal.class));
        return String.join(File.pathSeparator, entries);
    }

    private static String jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The package unpacked under {@code logDir}, once per package, directory and JVM: every function started from it
     * shares the copy, since a function only reads its task root ({@code /var/task} is read-only in Lambda). Two
     * packages of the same file name (this build and a benchmark's baseline, both {@code function.zip}) get a copy
     * each. The runtime API already started is closed again when unpacking fails.
     */
    static Path taskRootOf(Path functionZip, Path logDir) {
        Path zip = functionZip.toAbsolutePath().normalize();
        return logDir.toAbsolutePath().resolve(zip.getFileName() + "-" + Integer.toHexString(zip.toString().hashCode())
                + "-task");
    }

    private static Path taskRoot(Path functionZip, Path logDir, AutoCloseable runtime) {
        try {
            Path target = taskRootOf(functionZip, logDir);
            return UNPACKED.computeIfAbsent(target, dir -> unpack(functionZip, dir));
        } catch (RuntimeException e) {
            try {
                runtime.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static Path unpack(Path functionZip, Path target) {
        if (!Files.isRegularFile(functionZip)) {
            throw new IllegalStateException(functionZip + " does not exist: build the function first (./mvnw -DskipTests install)");
        }
        try {
            if (Files.exists(target)) {
                try (var walk = Files.walk(target)) {
                    List<Path> paths = new ArrayList<>(walk.toList());
                    java.util.Collections.reverse(paths);
                    for (Path p : paths) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(target);
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(functionZip))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    Path out = target.resolve(entry.getName()).normalize();
                    if (!out.startsWith(target)) {
                        throw new IOException("zip entry outside the target: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else {
                        Files.createDirectories(out.getParent());
                        copy(zip, out);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + functionZip, e);
        }
    }

    private static void copy(InputStream in, Path out) throws IOException {
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
}
