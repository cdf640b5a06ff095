package dev.mcpbroker.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.testkit.otel.OtlpReceiver;
import dev.mcpbroker.testkit.otel.ReceivedSpan;
import dev.mcpbroker.testkit.process.LoopbackOnly;
import dev.mcpbroker.testkit.process.Ports;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.SdkBytes;

/**
 * {@code scripts/run-local.sh} used as a new user uses it: started from the shell (nothing built by the test), its
 * banner read and its printed commands run as printed, a real MCP client calling tools, the audit trail delivered to
 * the audit account and verified with {@code audit-verify.sh}, maintenance on its schedule, telemetry at an OTLP
 * endpoint, and Ctrl-C stopping everything. Ports other than the defaults, so a user's own run is never disturbed.
 * The steps share one run and build on each other, so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalRunTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Pattern VERIFIED = Pattern.compile(
            "(\\d+) session\\(s\\), (\\d+) event\\(s\\) without a session, (\\d+) event\\(s\\) received, (\\d+) ok");

    private static LocalRunPorts ports;
    private static OtlpReceiver collector;
    private static DemoUpstream ownServer;
    private static LocalRunProcess run;
    private static LocalRunSession banner;
    private static final String sdkKey = "sdk-" + UUID.randomUUID();

    @BeforeAll
    static void startTheLocalRun() {
        ports = LocalRunPorts.free();
        collector = OtlpReceiver.start();
        ownServer = DemoUpstream.start();
        run = LocalRunProcess.start(List.of("--port", Integer.toString(ports.gateway()),
                "--aws-ports", Integer.toString(ports.firstAws()),
                "--upstream", "ledger=" + ownServer.mcpEndpoint(),
                "--otlp", collector.endpoint().toString(),
                "--maintenance-every", "2s",
                "--logs", "integration-tests/end-to-end/target/local-run-test"), Map.of());
        banner = new LocalRunSession(run.awaitBanner(START_TIMEOUT));
        System.out.printf("local run up %d ms after the script started%n", run.sinceStart().toMillis());
    }

    @AfterAll
    static void stopWhateverIsLeft() {
        if (run != null) {
            run.close();
        }
        if (ownServer != null) {
            ownServer.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    @Order(1)
    void bannerShowsTheChosenPortsAndEveryServiceListensOnLoopbackOnly() {
        assertThat(banner.endpoint("payments")).isEqualTo(URI.create("http://127.0.0.1:" + ports.gateway() + "/mcp/payments"));
        assertThat(banner.endpoint("ledger")).isEqualTo(URI.create("http://127.0.0.1:" + ports.gateway() + "/mcp/ledger"));
        assertThat(banner.text()).contains("--aws-ports " + ports.firstAws() + "): DynamoDB " + ports.firstAws() + ", Kinesis "
                + (ports.firstAws() + 1) + ", Secrets Manager " + (ports.firstAws() + 3) + ", STS " + (ports.firstAws() + 4));
        for (int port : List.of(ports.gateway(), ports.firstAws(), ports.firstAws() + 1, ports.firstAws() + 3, ports.firstAws() + 4)) {
            LoopbackOnly.assertListensOnLoopbackOnly(port);
        }
    }

    @Test
    @Order(2)
    void aSecondRunOnTheSamePortsStopsAtOnceNamingThePortAndTheOption() {
        try (LocalRunProcess second = LocalRunProcess.start(List.of("--port", Integer.toString(ports.gateway()),
                "--aws-ports", Integer.toString(ports.firstAws()), "--logs", "integration-tests/end-to-end/target/local-run-test-2"),
                Map.of())) {
            assertThat(second.awaitExit(Duration.ofSeconds(60))).as(second.output()).isEqualTo(1);
            assertThat(second.output()).contains("port " + ports.gateway() + " (API gateway, --port) on 127.0.0.1 is in use")
                    .doesNotContain("Exception");
        }
    }

    @Test
    @Order(3)
    void aRealMcpClientReadsAndWritesWithTheBannersTokenAndAnIdempotencyKeyHeader() {
        try (LocalRunClient payments = LocalRunClient.connect(banner.endpoint("payments"), banner.token())) {
            McpSyncClient client = payments.client();
            assertThat(client.initialize().serverInfo().name()).isEqualTo("demo-payments");
            long before = balance(client, "alice");

            Map<String, Object> arguments = Map.of("from", "alice", "to", "bob", "amountCents", 250);
            McpSchema.CallToolResult transfer = payments.withIdempotencyKey(sdkKey,
                    () -> client.callTool(new McpSchema.CallToolRequest("transfer", arguments)));
            McpSchema.CallToolResult retried = payments.withIdempotencyKey(sdkKey,
                    () -> client.callTool(new McpSchema.CallToolRequest("transfer", arguments)));

            assertThat(transfer.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(retried.structuredContent()).as("the retry is answered from the broker's record").isEqualTo(transfer.structuredContent());
            assertThat(balance(client, "alice")).as("paid once").isEqualTo(before - 250);
        }
    }

    @Test
    @Order(4)
    void anUpstreamRegisteredAtStartIsServedWithTheDevToken() {
        try (LocalRunClient ledger = LocalRunClient.connect(banner.endpoint("ledger"), banner.token())) {
            ledger.client().initialize();
            assertThat(balance(ledger.client(), "alice")).isPositive();
        }
        assertThat(ownServer.executions("get_balance")).as("served by the test's own server").isEqualTo(1);
    }

    @Test
    @Order(5)
    void thePrintedCurlCommandsMakeAStateChangingCallAndQueryItsOutcome() {
        LocalRunShell.Result result = LocalRunShell.run("export MCP_BROKER_TOKEN=" + banner.token() + "\n" + banner.curlCommands());

        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).contains("\"transferId\"").contains("\"status\":\"COMPLETED\"");
    }

    @Test
    @Order(6)
    void aKillSwitchFlippedWithThePrintedAdminCommandStopsTheTool() {
        String admin = banner.adminExports() + "\n";
        LocalRunShell.Result killed = LocalRunShell.run(admin + "scripts/admin.sh kill-tool payments transfer");
        assertThat(killed.status()).as(killed.output()).isZero();
        try (LocalRunClient payments = LocalRunClient.connect(banner.endpoint("payments"), banner.token())) {
            payments.client().initialize();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> payments.withIdempotencyKey(
                    "killed-" + UUID.randomUUID(), () -> payments.client().callTool(new McpSchema.CallToolRequest("transfer",
                            Map.of("from", "alice", "to", "bob", "amountCents", 1)))))
                    .isInstanceOfSatisfying(McpError.class, e -> assertThat(String.valueOf(e.getJsonRpcError().data()))
                            .contains("tool_killed")));
        } finally {
            LocalRunShell.Result revived = LocalRunShell.run(admin + "scripts/admin.sh revive-tool payments transfer");
            assertThat(revived.status()).as(revived.output()).isZero();
        }
    }

    @Test
    @Order(7)
    void sessionMaintenanceRunsOnItsScheduleAndReportsTheLiveSessions() {
        String line = run.awaitLine(l -> l.matches(".*session maintenance: .*payments [1-9]\\d* live of 1000.*"), Duration.ofSeconds(30));
        assertThat(line).contains("ledger").contains("everything");
    }

    @Test
    @Order(8)
    void theAuditTrailOfEveryCallReachesTheAuditAccountAndVerifiesClean() {
        Instant begin = Instant.now();
        LocalRunOutbox outbox = banner.outbox();
        await().atMost(Duration.ofSeconds(60)).until(() -> outbox.undelivered() == 0);
        Duration delivered = Duration.between(begin, Instant.now());
        int recorded = outbox.events().size();

        LocalRunShell.Result verified = LocalRunShell.run(banner.auditVerifyCommand());

        System.out.printf("audit trail of %d events delivered %d ms and verified %d ms after the last call%n", recorded,
                delivered.toMillis(), Duration.between(begin, Instant.now()).toMillis());
        assertThat(verified.status()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("audit chain verification: CLEAN");
        Matcher summary = VERIFIED.matcher(verified.output());
        assertThat(summary.find()).as(verified.output()).isTrue();
        assertThat(Integer.parseInt(summary.group(4))).as("every recorded event, each intact").isEqualTo(recorded);
        assertThat(recorded).as("initialize, reads, writes, replays, refusals, outcome query").isGreaterThanOrEqualTo(12);
    }

    @Test
    @Order(9)
    void anEventAlteredAfterItWasChainedIsReportedAsTampered() {
        AuditEvent last = banner.outbox().lastOfChainWith(sdkKey);
        AuditEvent next = new AuditChain().next(last, copy(last));
        AuditEvent altered = new AuditEvent(next.eventId(), next.kind(), next.time(), next.agentId(), next.tenantId(),
                next.onBehalfOf(), next.sessionId(), next.serverId(), next.method(), "refund", next.argumentFingerprint(),
                next.decision(), next.reason(), next.outcomeClass(), next.upstreamLatencyMillis(), next.idempotencyKey(),
                next.traceId(), next.correlationId(), next.sessionSeq(), next.previousHash(), next.hash());
        plant(altered);

        LocalRunShell.Result verified = LocalRunShell.run(banner.auditVerifyCommand());

        assertThat(verified.status()).as(verified.output()).isEqualTo(1);
        assertThat(verified.output()).contains("TAMPERED    seq " + altered.sessionSeq() + ": hash does not match the content");
    }

    @Test
    @Order(10)
    void anEventMissingFromAChainIsReportedAsAGap() {
        AuditEvent last = banner.outbox().lastOfChainWith(LocalRunBanner.EXAMPLE_KEY);
        AuditChain chain = new AuditChain();
        AuditEvent skipped = chain.next(last, copy(last));
        plant(chain.next(skipped, copy(last)));

        LocalRunShell.Result verified = LocalRunShell.run(banner.auditVerifyCommand());

        assertThat(verified.status()).as(verified.output()).isEqualTo(1);
        assertThat(verified.output()).contains("GAP         seq " + skipped.sessionSeq() + ": seq " + skipped.sessionSeq() + " missing");
    }

    @Test
    @Order(11)
    void tracesOfAllThreeFunctionsReachTheOtlpEndpointAndTheBrokersMetricsToo() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(collector.spans()).extracting(span -> span.resource().get("service.name")).contains(
                    "mcp-broker", "mcp-broker-audit-forwarder", "mcp-broker-session-maintenance");
            assertThat(collector.metricNames()).anyMatch(name -> name.startsWith("mcp."));
        });
        assertThat(collector.spans()).extracting(ReceivedSpan::name).contains("tools/call transfer");
    }

    @Test
    @Order(12)
    void ctrlCStopsEveryProcessOfTheRunAndFreesItsPorts() {
        List<ProcessHandle> processes = run.handle().descendants().toList();
        assertThat(processes).as("emulators, upstreams and three function processes").hasSizeGreaterThanOrEqualTo(7);

        run.interrupt();

        assertThat(run.awaitExit(Duration.ofSeconds(30))).as(run.output()).isNotEqualTo(-1);
        await().atMost(Duration.ofSeconds(15)).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        for (int port : List.of(ports.gateway(), ports.firstAws(), ports.firstAws() + 1, ports.firstAws() + 3, ports.firstAws() + 4)) {
            assertThat(Ports.isListening(port)).as("port %d", port).isFalse();
        }
        assertThat(run.output()).doesNotContain("Exception");
    }

    private static long balance(McpSyncClient client, String account) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("get_balance", Map.of("account", account)));
        return ((Number) ((Map<?, ?>) result.structuredContent()).get("balanceCents")).longValue();
    }

    /** The same content under a new event id, to be chained somewhere else. */
    private static AuditEvent copy(AuditEvent event) {
        return new AuditEvent("planted-" + UUID.randomUUID(), event.kind(), event.time(), event.agentId(), event.tenantId(),
                event.onBehalfOf(), event.sessionId(), event.serverId(), event.method(), event.tool(), event.argumentFingerprint(),
                event.decision(), event.reason(), event.outcomeClass(), event.upstreamLatencyMillis(), event.idempotencyKey(),
                event.traceId(), event.correlationId(), 0, null, null);
    }

    /** Puts an event on the audit stream as someone with write access to it would, outside the broker. */
    private static void plant(AuditEvent event) {
        try (var kinesis = banner.auditKinesis()) {
            kinesis.putRecord(b -> b.streamName(LocalAuditTrail.STREAM).partitionKey(event.chainKey())
                    .data(SdkBytes.fromByteArray(new AuditEventCodec().encode(event))));
        }
    }
}
