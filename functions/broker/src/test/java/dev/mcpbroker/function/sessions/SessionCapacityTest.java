package dev.mcpbroker.function.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.capacity.Lease;
import dev.mcpbroker.core.capacity.LeasePool;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.function.support.BrokerCalls;
import dev.mcpbroker.function.support.InProcessBroker;
import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.sessiontable.lease.DynamoDbLeaseStore;
import dev.mcpbroker.sessiontable.policy.PolicyAdmin;
import dev.mcpbroker.sessiontable.policy.PolicyTable;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent sessions per upstream server are capped exactly, with real DynamoDB conditional writes and a
 * real upstream: many broker threads race like many Lambda instances would.
 */
@Timeout(120)
class SessionCapacityTest {

    private static final String STATE = "capacity-state";
    private static final String POLICY = "capacity-policy";
    private static final AgentIdentity AGENT = new AgentIdentity("capacity-agent", "capacity", null);

    private static AwsEnvironment aws;
    private static DemoUpstream upstream;

    @BeforeAll
    static void start() {
        aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), STATE);
        PolicyTable.ensureTable(aws.dynamoDb(), POLICY);
        upstream = DemoUpstream.start();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    /** A server under its own name, so each test has its own lease pool. */
    private static UpstreamServer cappedServer(int cap) {
        String id = "capped-" + UUID.randomUUID().toString().substring(0, 8);
        new PolicyAdmin(aws.dynamoDb(), POLICY).grant(AGENT.agentId(), AGENT.tenantId(), new ServerGrant(id, null));
        return new UpstreamServer(id, upstream.mcpEndpoint(), Duration.ofSeconds(2), Duration.ofSeconds(20),
                UpstreamAuth.NONE, ServerControls.NONE, ToolPolicy.NONE, new SessionLimits(OptionalInt.of(cap), 0));
    }

    private static List<Lease> heldLeases(UpstreamServer server, int cap) {
        Instant now = Instant.now();
        return new DynamoDbLeaseStore(aws.dynamoDb(), STATE).list(LeasePool.sessionsOf(server.id(), cap)).stream()
                .filter(lease -> lease.isHeldAt(now)).toList();
    }

    @Test
    void sixtyConcurrentInitializesAgainstACapOfTenLeaveExactlyTenLiveSessionsAndRefuseTheRestWithRetryAfter()
            throws Exception {
        UpstreamServer server = cappedServer(10);
        // The wait is long against how long the sixty take to arrive, so the queue's bound is what refuses.
        Duration queueWait = Duration.ofSeconds(8);
        McpBroker broker = new InProcessBroker(aws.dynamoDb(), STATE, POLICY).servers(server)
                .capacity(new CapacitySettings(1000, 20, queueWait, Duration.ofMillis(250), Duration.ofSeconds(30)))
                .build();
        BrokerCalls calls = new BrokerCalls(broker, AGENT, server.id());

        record Attempt(String session, BrokerException failure, Duration took) {
        }
        ExecutorService threads = Executors.newFixedThreadPool(60);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Attempt>> attempts = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                attempts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    long began = System.nanoTime();
                    try {
                        return new Attempt(calls.initialize(), null, Duration.ofNanos(System.nanoTime() - began));
                    } catch (BrokerException e) {
                        return new Attempt(null, e, Duration.ofNanos(System.nanoTime() - began));
                    }
                }, threads));
            }
            start.countDown();
            List<Attempt> results = new ArrayList<>();
            for (CompletableFuture<Attempt> attempt : attempts) {
                results.add(attempt.get(60, TimeUnit.SECONDS));
            }

            List<Attempt> opened = results.stream().filter(a -> a.session() != null).toList();
            List<Attempt> refused = results.stream().filter(a -> a.failure() != null).toList();
            assertThat(opened).hasSize(10);
            assertThat(refused).hasSize(50).allSatisfy(a -> {
                assertThat(a.failure().code()).isEqualTo(ErrorCode.SESSION_CAPACITY_EXHAUSTED);
                assertThat(a.failure().code().httpStatus()).isEqualTo(503);
                assertThat(a.failure().retryAfter()).isPresent();
            });
            // The first twenty to find the cap full waited the full wait in the queue; the rest found the
            // queue full and were refused at once (a place freed before a late arrival may take one more).
            List<Attempt> waited = refused.stream().filter(a -> a.failure().getMessage().contains("no slot became free")).toList();
            List<Attempt> queueFull = refused.stream().filter(a -> a.failure().getMessage().contains("queue is full")).toList();
            assertThat(waited.size() + queueFull.size()).isEqualTo(50);
            assertThat(waited).hasSizeBetween(20, 30).allSatisfy(a -> assertThat(a.took()).isGreaterThanOrEqualTo(queueWait));
            assertThat(queueFull).hasSizeGreaterThanOrEqualTo(20).allSatisfy(a -> assertThat(a.took()).isLessThan(queueWait));
            assertThat(heldLeases(server, 10)).hasSize(10)
                    .extracting(Lease::holder).containsExactlyInAnyOrderElementsOf(opened.stream().map(Attempt::session).toList());
            // Every opened session works.
            for (Attempt a : opened) {
                assertThat(calls.ping(a.session()).has("result")).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aQueuedInitializeGetsTheSlotAnEndedSessionReleases() throws Exception {
        UpstreamServer server = cappedServer(1);
        McpBroker broker = new InProcessBroker(aws.dynamoDb(), STATE, POLICY).servers(server)
                .capacity(new CapacitySettings(1000, 5, Duration.ofSeconds(20), Duration.ofMillis(50), Duration.ofSeconds(30)))
                .build();
        BrokerCalls calls = new BrokerCalls(broker, AGENT, server.id());
        String first = calls.initialize();

        CompletableFuture<String> queued = CompletableFuture.supplyAsync(calls::initialize);
        DynamoDbLeaseStore leases = new DynamoDbLeaseStore(aws.dynamoDb(), STATE);
        LeasePool queue = LeasePool.queueOf(server.id(), 5);
        // until the second initialize holds a place in the queue
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !leases.list(queue).isEmpty() || queued.isDone());
        assertThat(queued).isNotDone();

        calls.delete(first);
        String second = queued.get(20, TimeUnit.SECONDS);
        assertThat(heldLeases(server, 1)).extracting(Lease::holder).containsExactly(second);
        assertThat(leases.list(queue)).isEmpty();
    }

    @Test
    void endingASessionReleasesItsSlotAtOnce() {
        UpstreamServer server = cappedServer(2);
        McpBroker broker = new InProcessBroker(aws.dynamoDb(), STATE, POLICY).servers(server)
                .capacity(new CapacitySettings(1000, 0, Duration.ZERO, Duration.ofMillis(50), Duration.ofSeconds(30)))
                .build();
        BrokerCalls calls = new BrokerCalls(broker, AGENT, server.id());
        String a = calls.initialize();
        calls.initialize();
        BrokerException refused = BrokerCalls.failureOf(calls::initialize);
        assertThat(refused).isNotNull().extracting(BrokerException::code).isEqualTo(ErrorCode.SESSION_CAPACITY_EXHAUSTED);

        calls.delete(a);
        assertThat(heldLeases(server, 2)).hasSize(1);
        assertThat(calls.initialize()).isNotNull();
    }
}
