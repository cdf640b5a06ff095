package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static dev.mcpbroker.core.broker.InMemoryBroker.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.session.BrokerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The bound session: healing after the upstream lost its session, and affinity cookies, through the whole pipeline. */
class SessionRecoveryPipelineTest {

    private final InMemoryBroker broker = new InMemoryBroker();

    @Test
    void aReadOnlyCallAfterTheUpstreamLostItsSessionIsAnsweredFromAReopenedSession() {
        String session = broker.initialize();
        String before = broker.sessions.find(session).orElseThrow().upstreamSessionId();
        broker.upstream.loseSessions();

        assertThat(text(broker.call(session, "get_balance", "{}", null))).isEqualTo("balance 100");

        BrokerSession healed = broker.sessions.find(session).orElseThrow();
        assertThat(healed.upstreamSessionId()).isNotEqualTo(before).isNotNull();
        assertThat(broker.upstream.sessionsOpened()).isEqualTo(2);
        assertThat(broker.metrics.events()).contains("reopened payments true");
    }

    @Test
    void aStateChangingCallAfterTheUpstreamLostItsSessionIsRefusedUnexecutedAndItsKeyStaysUsable() {
        String session = broker.initialize();
        broker.call(session, "get_balance", "{}", null); // the broker learns the tool list in the live session
        broker.upstream.loseSessions();

        BrokerException lost = failure(() -> broker.call(session, "transfer", "{\"amount\":5}", "key-1"));

        assertThat(lost.code()).isEqualTo(ErrorCode.UPSTREAM_SESSION_LOST);
        assertThat(lost.failureClass()).isEqualTo(FailureClass.NOT_EXECUTED);
        assertThat(broker.upstream.transfers()).isZero();
        assertThat(text(broker.call(session, "transfer", "{\"amount\":5}", "key-1"))).isEqualTo("transfer #1");
        assertThat(broker.upstream.transfers()).isEqualTo(1);
        assertThat(broker.metrics.events()).contains("reopened payments false");
    }

    @Test
    void aCookieTheUpstreamSetsIsKeptInTheSessionAndSentWithItsNextRequests() {
        String session = broker.initialize();
        broker.upstream.setCookieOnNextAnswer("lb=replica-2; Path=/");
        broker.request(session, "ping", "{}");

        assertThat(broker.sessions.find(session).orElseThrow().affinity().cookies()).containsEntry("lb", "replica-2");
        broker.request(session, "ping", "{}");
        assertThat(broker.upstream.calls().getLast().headers()).containsEntry("Cookie", "lb=replica-2");
    }

    @Test
    void cookiesSetInAnswersToConcurrentRequestsOfOneSessionAreAllKept() throws Exception {
        String session = broker.initialize();
        broker.upstream.setCookiePerRequest();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<?>> pings = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                pings.add(CompletableFuture.runAsync(() -> broker.request(session, "ping", "{}"), threads));
            }
            CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).get();
        } finally {
            threads.shutdownNow();
        }

        BrokerSession stored = broker.sessions.find(session).orElseThrow();
        assertThat(stored.affinity().cookies()).hasSize(16);
        assertThat(stored.version()).as("one version-conditioned write per new cookie").isEqualTo(17);
    }
}
