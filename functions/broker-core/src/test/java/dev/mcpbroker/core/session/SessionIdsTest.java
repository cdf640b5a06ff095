package dev.mcpbroker.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsTest {

    private final SessionIds ids = new SessionIds(new SecureRandom());

    @Test
    void mintedIdsCarry256BitsAsVisibleAscii() {
        String id = ids.mint();
        // 32 random bytes in unpadded base64url are 43 characters of 6 bits each.
        assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(id.chars()).allMatch(c -> c >= 0x21 && c <= 0x7E);
        assertThat(SessionIds.isWellFormed(id)).isTrue();
    }

    @Test
    void mintedIdsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ids.mint())).isTrue();
        }
    }

    @Test
    void idsWithSpacesControlCharactersOrExcessLengthAreNotWellFormed() {
        assertThat(SessionIds.isWellFormed("has space")).isFalse();
        assertThat(SessionIds.isWellFormed("tab\there")).isFalse();
        assertThat(SessionIds.isWellFormed("")).isFalse();
        assertThat(SessionIds.isWellFormed("x".repeat(129))).isFalse();
    }

    @Test
    void telemetryHashIsSixteenHexDigitsStablePerIdAndContainsNoPartOfIt() {
        String id = ids.mint();
        String hash = SessionIds.hash(id);
        assertThat(hash).matches("[0-9a-f]{16}").isEqualTo(SessionIds.hash(id)).isNotEqualTo(SessionIds.hash(ids.mint()));
        for (int i = 0; i + 4 <= id.length(); i++) {
            assertThat(hash).doesNotContain(id.substring(i, i + 4));
        }
        assertThat(SessionIds.hash(null)).isNull();
    }

    @Test
    void sessionToStringNeverShowsTheWholeId() {
        String id = ids.mint();
        BrokerSession session = BrokerSession.open(id, new SessionOwner("agent-a", "tenant-1", null), "payments", "up-secret-id",
                "2025-11-25", "{}", dev.mcpbroker.core.upstream.UpstreamAffinity.NONE, java.time.Instant.EPOCH,
                new SessionTimeouts(java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(30), java.time.Duration.ZERO),
                BrokerSession.NO_SLOT, null);
        assertThat(session.toString()).doesNotContain(id).doesNotContain("up-secret-id");
    }
}
