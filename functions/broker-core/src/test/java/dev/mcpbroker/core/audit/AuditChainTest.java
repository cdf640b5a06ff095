package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static final Instant T = Instant.parse("2025-06-18T09:30:00Z");
    private final AuditEventCodec codec = new AuditEventCodec();
    private final AuditChain chain = new AuditChain(codec);

    @Test
    void hashIsSha256OfPreviousHashAndTheCanonicalEventWithoutHash() throws Exception {
        AuditEvent first = chain.first(AuditEvents.intent("s1", "e1", T));
        AuditEvent second = chain.next(first, AuditEvents.outcome("s1", "e2", T.plusMillis(40)));

        assertThat(first.sessionSeq()).isEqualTo(1);
        assertThat(first.previousHash()).isEqualTo(AuditChain.GENESIS).isEqualTo("0".repeat(64));
        assertThat(second.sessionSeq()).isEqualTo(2);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        for (AuditEvent e : new AuditEvent[] {first, second}) {
            ObjectNode json = codec.toJson(e);
            json.remove("hash");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(e.previousHash().getBytes(StandardCharsets.US_ASCII));
            sha.update(CanonicalJson.write(json).getBytes(StandardCharsets.UTF_8));
            assertThat(e.hash()).isEqualTo(HexFormat.of().formatHex(sha.digest()));
            assertThat(chain.intact(e)).isTrue();
        }
    }

    @Test
    void goldenVectorPinsTheWireFormat() {
        // A change here breaks verification of every chain already published: bump deliberately or not at all.
        AuditEvent first = chain.first(AuditEvents.denied("s1", "e1", T));
        assertThat(new String(codec.encode(first), StandardCharsets.UTF_8)).isEqualTo("{\"agentId\":\"agent-1\","
                + "\"argumentFingerprint\":null,\"correlationId\":null,\"decision\":\"DENIED\",\"eventId\":\"e1\","
                + "\"hash\":\"" + first.hash() + "\",\"idempotencyKey\":null,\"kind\":\"DECISION\",\"method\":\"tools/call\","
                + "\"onBehalfOf\":null,\"outcomeClass\":null,\"previousHash\":\"" + AuditChain.GENESIS + "\","
                + "\"reason\":\"tool_not_allowed\",\"serverId\":\"payments\",\"sessionId\":\"s1\",\"sessionSeq\":1,"
                + "\"tenantId\":\"t1\",\"time\":\"2025-06-18T09:30:00.000Z\",\"tool\":\"delete_ledger\","
                + "\"traceId\":null,\"upstreamLatencyMillis\":null}");
        assertThat(first.hash()).isEqualTo(GOLDEN_HASH);
    }

    // Recomputed independently: python3 json.dumps(sort_keys=True, separators=(",", ":")) + hashlib.sha256.
    static final String GOLDEN_HASH = "e5e329c79561a0bb13973c6469a5c0bac0a3614c3d3fcc55a0b851babd71783e";

    @Test
    void anyChangeToAnEventChangesItsExpectedHash() {
        AuditEvent e = chain.first(AuditEvents.intent("s1", "e1", T));
        AuditEvent otherTool = new AuditEvent(e.eventId(), e.kind(), e.time(), e.agentId(), e.tenantId(), e.onBehalfOf(),
                e.sessionId(), e.serverId(), e.method(), "refund", e.argumentFingerprint(), e.decision(), e.reason(),
                e.outcomeClass(), e.upstreamLatencyMillis(), e.idempotencyKey(), e.traceId(), e.correlationId(),
                e.sessionSeq(), e.previousHash(), e.hash());
        assertThat(chain.intact(otherTool)).isFalse();
        AuditEvent otherSeq = new AuditChain().link(e, 2, e.hash());
        assertThat(otherSeq.hash()).isNotEqualTo(e.hash());
        AuditEvent sameAgain = chain.link(e.unchained(), 1, AuditChain.GENESIS);
        assertThat(sameAgain).isEqualTo(e);
    }

    @Test
    void linkRefusesImpossiblePositions() {
        AuditEvent e = AuditEvents.intent("s1", "e1", T);
        assertThatThrownBy(() -> chain.link(e, 0, AuditChain.GENESIS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chain.link(e, 2, AuditChain.GENESIS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chain.link(e, 1, "a".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chain.link(e, 3, "XYZ")).isInstanceOf(IllegalArgumentException.class);
        AuditEvent first = chain.first(e);
        assertThatThrownBy(() -> chain.next(first, AuditEvents.intent("s2", "e2", T)))
                .hasMessageContaining("different sessions");
    }
}
