package dev.mcpbroker.core.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What an idempotency key is unique within: the same key from another tenant, agent, server or tool is a
 * different operation. Keys are chosen by agents, so they are hashed into the record id rather than used
 * as storage keys directly.
 */
public record IdempotencyScope(String tenantId, String agentId, String serverId, String tool, String key) {

    /** Longest key accepted; longer ones are refused as a bad request. */
    public static final int MAX_KEY_LENGTH = 255;

    public IdempotencyScope {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(key, "key");
    }

    /** A stable id: SHA-256 over the length-prefixed parts, so no choice of parts can collide with another. */
    public String recordId() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {tenantId, agentId, serverId, tool, key}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
