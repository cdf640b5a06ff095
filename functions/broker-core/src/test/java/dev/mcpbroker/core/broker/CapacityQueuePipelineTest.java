package dev.mcpbroker.core.broker;

import static dev.mcpbroker.core.broker.InMemoryBroker.AGENT;
import static dev.mcpbroker.core.broker.InMemoryBroker.SERVER;
import static dev.mcpbroker.core.broker.InMemoryBroker.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.capacity.CapacitySettings;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.upstream.SessionLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A server's session cap and its queue, waited out on a clock that moves instead of real sleeps. */
class CapacityQueuePipelineTest {

    private final InMemoryBroker broker = new InMemoryBroker(
            new CapacitySettings(100, 5, Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(60)),
            new SessionLimits(OptionalInt.of(1), 0));

    @Test
    void anInitializeFindingTheCapFullWaitsTheQueueTimeAndIsRefusedWithRetryAfter() {
        broker.initialize();
        Instant before = broker.clock.instant();

        BrokerException refused = failure(broker::initialize);

        assertThat(refused.code()).isEqualTo(ErrorCode.SESSION_CAPACITY_EXHAUSTED);
        assertThat(refused.retryAfter()).hasValue(Duration.ofSeconds(5));
        assertThat(Duration.between(before, broker.clock.instant())).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(broker.upstream.sessionsOpened()).isEqualTo(1);
        assertThat(broker.metrics.events()).contains("capacityExhausted " + SERVER, "denied session_capacity_exhausted");
    }

    @Test
    void aQueuedInitializeGetsTheSlotThatAnEndedSessionFrees() {
        String first = broker.initialize();
        AtomicBoolean ended = new AtomicBoolean();
        broker.onSleep(() -> {
            if (ended.compareAndSet(false, true)) {
                broker.broker.delete(AGENT, SERVER, first, InMemoryBroker.VERSION);
            }
        });

        String second = broker.initialize();

        assertThat(second).isNotNull().isNotEqualTo(first);
        assertThat(broker.metrics.events()).anySatisfy(event -> assertThat(event).startsWith("opened payments cold PT0."));
    }
}
