package dev.mcpbroker.e2e.local;

import dev.mcpbroker.e2e.LocalBrokerStack;
import dev.mcpbroker.e2e.LocalIdentity;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.lambda.LocalSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code scripts/run-local.sh}: every function of {@code infra/template.yaml} on this machine, as a deployment runs
 * them. The broker function behind the local API gateway; the audit forwarder fed by the state table's stream, writing
 * to the audit account's stream; the session maintenance function on its schedule. Around them the AWS emulators on
 * fixed ports and the upstream MCP servers. Everything listens on 127.0.0.1 and stops with {@link #close()}.
 */
public final class LocalRun implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final LocalRunOptions options;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private AwsEnvironment aws;
    private LocalBrokerStack stack;
    private LocalAuditTrail auditTrail;
    private LocalSessionMaintenance maintenance;

    private LocalRun(LocalRunOptions options) {
        this.options = options;
    }

    /**
     * Starts everything and returns once every function is initialised.
     *
     * @param console where the run reports while it runs (session maintenance)
     * @throws LocalPorts.PortInUseException before anything starts, when one of the fixed ports is taken
     */
    public static LocalRun start(LocalRunOptions options, Consumer<String> console) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("API gateway, --port", options.port());
        options.emulatorPorts().fixed().forEach((what, port) -> ports.put(what + " emulator, --aws-ports", port));
        LocalPorts.requireFree(ports, "choose other ports with --port <n> and --aws-ports <n>");
        TemplateFunctions functions = TemplateFunctions.read(RepoPaths.repoRoot().resolve("infra/template.yaml"));
        LocalRun run = new LocalRun(options);
        try {
            run.startAll(functions, console);
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private void startAll(TemplateFunctions functions, Consumer<String> console) {
        aws = own(AwsEnvironment.startEmulators(options.emulatorPorts()));
        SessionTableSetup.ensureTableWithStream(aws.dynamoDb(), LocalBrokerStack.TABLE);
        LocalTelemetry telemetry = new LocalTelemetry(options.otlp());
        String audience = options.audience().orElse(LocalIdentity.DEFAULT_AUDIENCE);
        Optional<LocalIdentity> identity = options.issuer().map(issuer ->
                LocalIdentity.external(issuer, options.jwksUrl().orElseThrow(), audience));
        if (identity.isEmpty()) {
            identity = Optional.of(LocalIdentity.dev(audience, options.logDir()));
        }
        stack = own(LocalBrokerStack.start(new LocalBrokerStack.Settings(aws, 1, options.withEverything(), options.logDir(),
                options.port(), identity, telemetry.brokerEnvironment(), options.upstreams())));

        Map<String, String> handlers = new HashMap<>(aws.childEnvironment());
        handlers.put("BROKER_SESSION_TABLE", LocalBrokerStack.TABLE);
        handlers.put("BROKER_POLICY_TABLE", LocalBrokerStack.POLICY_TABLE);
        handlers.putAll(telemetry.handlerEnvironment());
        auditTrail = own(LocalAuditTrail.start(aws, functions.auditForwarder(), LocalBrokerStack.TABLE,
                LocalBrokerStack.functionZip(), handlers, options.logDir()));
        Duration rate = options.maintenanceEvery().orElseGet(() -> LocalSchedule.rate(functions.sessionMaintenance().schedule()));
        maintenance = own(LocalSessionMaintenance.start(functions.sessionMaintenance(), rate, LocalBrokerStack.functionZip(),
                handlers, options.logDir(), console));

        // The three function processes initialise side by side; the run is up when all three are.
        stack.broker(0).awaitReady(READY_TIMEOUT);
        auditTrail.awaitReady(READY_TIMEOUT);
        maintenance.awaitReady(READY_TIMEOUT);
    }

    private <T extends AutoCloseable> T own(T part) {
        parts.add(part);
        return part;
    }

    public LocalRunOptions options() {
        return options;
    }

    public AwsEnvironment aws() {
        return aws;
    }

    public LocalBrokerStack stack() {
        return stack;
    }

    public LocalAuditTrail auditTrail() {
        return auditTrail;
    }

    public Duration maintenanceRate() {
        return maintenance.rate();
    }

    /** The logs of every process and the functions' unpacked code. */
    public Path logDir() {
        return options.logDir();
    }

    /** Stops everything it started, the most dependent first. */
    @Override
    public void close() {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                System.getLogger(LocalRun.class.getName()).log(System.Logger.Level.WARNING, "could not stop " + part, e);
            }
        }
        parts.clear();
    }
}
