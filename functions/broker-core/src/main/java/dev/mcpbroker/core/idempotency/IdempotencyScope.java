package dev.mcpbroker.core.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What an idempotency key is unique within: the same key from another tenant, agent, user, server or tool is a
 * different operation. The user matters when one agent (an OAuth client) acts for many users: user B must not
 * replay, pre-empt or read user A's call by guessing its key. Keys are chosen by agents, so they are hashed into
 * the record id rather than used as storage keys directly.
 *
 * @param user the user the agent acts for, when its token names one; null otherwise
 */
public record IdempotencyScope(String tenantId, String agentId, String user, String serverId, String tool, String key) {

    /** Longest key accepted; longer ones are refused as a bad request. */
    public static final int MAX_KEY_LENGTH = 255;

    /** The scope of an agent that acts for no named user. */
    public IdempotencyScope(String tenantId, String agentId, String serverId, String tool, String key) {
        this(tenantId, agentId, null, serverId, tool, key);
    }

    public IdempotencyScope {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(key, "key");
    }

    /**
     * A stable id: SHA-256 over the length-prefixed parts, so no choice of parts can collide with another. The user is
     * a part only when there is one (marked so it cannot pose as another part), so scopes without a user keep the ids
     * they always had.
     */
    public String recordId() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {tenantId, agentId, serverId, tool, key}) {
                update(sha, part);
            }
            if (user != null) {
                update(sha, "user");
                update(sha, user);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static void update(MessageDigest sha, String part) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        sha.update(bytes);
    }
}
