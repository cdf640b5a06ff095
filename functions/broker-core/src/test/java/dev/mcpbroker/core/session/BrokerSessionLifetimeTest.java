package dev.mcpbroker.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BrokerSessionLifetimeTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final SessionTimeouts TIMEOUTS = new SessionTimeouts(Duration.ofMinutes(60), Duration.ofMinutes(10),
            Duration.ofMinutes(1));

    private static BrokerSession opened() {
        return BrokerSession.open("id-123456789", new SessionOwner("a", "t", null), "payments", "up", "2025-11-25", "{}",
                UpstreamAffinity.NONE, T0, TIMEOUTS, BrokerSession.NO_SLOT, null);
    }

    @Test
    void anUnusedSessionEndsAtItsIdleTimeout() {
        BrokerSession session = opened();
        assertThat(session.isLiveAt(T0.plus(Duration.ofMinutes(9)))).isTrue();
        assertThat(session.isLiveAt(T0.plus(Duration.ofMinutes(10)))).isFalse();
    }

    @Test
    void useMovesTheIdleDeadlineButNeverPastTheAbsoluteLifetime() {
        BrokerSession session = opened().touched(T0.plus(Duration.ofMinutes(9)), TIMEOUTS);
        assertThat(session.isLiveAt(T0.plus(Duration.ofMinutes(18)))).isTrue();
        BrokerSession late = session.touched(T0.plus(Duration.ofMinutes(55)), TIMEOUTS);
        assertThat(late.endOfLife()).isEqualTo(T0.plus(Duration.ofMinutes(60)));
        assertThat(late.isLiveAt(T0.plus(Duration.ofMinutes(60)))).isFalse();
        assertThat(late.version()).isEqualTo(3);
    }

    @Test
    void aUseIsRecordedAtMostOncePerTouchInterval() {
        BrokerSession session = opened();
        assertThat(session.needsTouch(T0.plusSeconds(59), TIMEOUTS.touchInterval())).isFalse();
        assertThat(session.needsTouch(T0.plusSeconds(60), TIMEOUTS.touchInterval())).isTrue();
    }

    @Test
    void aTouchIntervalAsLongAsTheIdleTimeoutIsRefused() {
        assertThatThrownBy(() -> new SessionTimeouts(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
