package dev.mcpbroker.core.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The hash chain that makes a session's audit trail tamper-evident.
 *
 * <p><b>Rule.</b> Within a chain (a session, see {@link AuditEvent#chainKey()}) events are numbered
 * {@code sessionSeq = 1, 2, 3, ...}. The first event's {@code previousHash} is {@link #GENESIS} (64 zeros); every
 * other event's is the {@code hash} of the event before it. An event's hash is
 * <pre>
 *   hash = lowercase_hex( SHA-256( ASCII(previousHash) || UTF-8(CanonicalJson(event JSON without "hash")) ) )
 * </pre>
 * where {@code previousHash} enters as its 64 hex characters, and the event JSON is {@link AuditEventCodec#toJson}
 * (every field, nulls included, so {@code sessionSeq} and {@code previousHash} are covered too) with the
 * {@code hash} member removed, in {@link CanonicalJson} form. Changing any field of an event changes its hash;
 * replacing an event with one whose hash was recomputed breaks the next event's {@code previousHash}; removing or
 * reordering events shows in {@code sessionSeq}. (Whoever can rewrite a chain's whole suffix, the last event
 * included, is not detected by the chain alone: that is what the separate, write-only audit account is for.)
 *
 * <p>The chain does not assign numbers itself: the publisher keeps each session's head (last {@code sessionSeq} and
 * {@code hash}) and must serialise linking per session. Thread-safe.
 */
public final class AuditChain {

    /** {@code previousHash} of the first event of every chain: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    private final AuditEventCodec codec;

    public AuditChain() {
        this(new AuditEventCodec());
    }

    public AuditChain(AuditEventCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * The event at position {@code seq} of its chain, after the event whose hash is {@code previousHash}
     * ({@link #GENESIS} exactly when {@code seq} is 1). Any chain fields {@code event} already had are replaced.
     */
    public AuditEvent link(AuditEvent event, long seq, String previousHash) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(previousHash, "previousHash");
        if (seq < 1) {
            throw new IllegalArgumentException("sessionSeq starts at 1");
        }
        if (!AuditEvent.HEX_256.matcher(previousHash).matches()) {
            throw new IllegalArgumentException("previousHash is not 64 lower-case hex characters");
        }
        if ((seq == 1) != GENESIS.equals(previousHash)) {
            throw new IllegalArgumentException("the first event of a chain, and only it, follows GENESIS");
        }
        return event.withChain(seq, previousHash, hash(event, seq, previousHash));
    }

    /** The first event of a chain. */
    public AuditEvent first(AuditEvent event) {
        return link(event, 1, GENESIS);
    }

    /** The event after {@code previous} in the same chain. */
    public AuditEvent next(AuditEvent previous, AuditEvent event) {
        if (!previous.chained()) {
            throw new IllegalArgumentException("previous is not chained");
        }
        if (!previous.chainKey().equals(event.chainKey())) {
            throw new IllegalArgumentException("events of different sessions do not chain");
        }
        return link(event, previous.sessionSeq() + 1, previous.hash());
    }

    /** The hash a chained event must carry, computed from its content (its own {@code hash} is ignored). */
    public String expectedHash(AuditEvent event) {
        if (!event.chained()) {
            throw new IllegalArgumentException("event is not chained");
        }
        return hash(event, event.sessionSeq(), event.previousHash());
    }

    /** Whether a chained event's {@code hash} matches its content. */
    public boolean intact(AuditEvent event) {
        return event.chained() && expectedHash(event).equals(event.hash());
    }

    private String hash(AuditEvent event, long seq, String previousHash) {
        ObjectNode json = codec.toJson(event);
        json.put("sessionSeq", seq);
        json.put("previousHash", previousHash);
        json.remove("hash");
        MessageDigest sha256 = sha256();
        sha256.update(previousHash.getBytes(StandardCharsets.US_ASCII));
        sha256.update(CanonicalJson.bytes(json));
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
