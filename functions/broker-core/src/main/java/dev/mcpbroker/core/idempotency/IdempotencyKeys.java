package dev.mcpbroker.core.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.McpHeaders;

/**
 * Where an agent's idempotency key comes from, read once per request: the {@code Idempotency-Key} header when it is
 * not empty, else {@code params._meta["dev.mcpbroker/idempotencyKey"]}. The guard and the audit trail use the same
 * key, and the audit trail records it only once it is known to be well formed.
 */
public final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    /** The key the agent sent for {@code message}, as sent (possibly malformed); null when it sent none. */
    public static String sent(String header, JsonRpcMessage message) {
        if (header != null && !header.isEmpty()) {
            return header;
        }
        if (message instanceof JsonRpcMessage.Request request) {
            JsonNode meta = request.params().path("_meta").path(McpHeaders.IDEMPOTENCY_KEY_META);
            if (meta.isTextual() && !meta.asText().isEmpty()) {
                return meta.asText();
            }
        }
        return null;
    }

    /** Whether {@code key} is 1 to {@value IdempotencyScope#MAX_KEY_LENGTH} visible ASCII characters. */
    public static boolean isWellFormed(String key) {
        return key != null && !key.isEmpty() && key.length() <= IdempotencyScope.MAX_KEY_LENGTH
                && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7E);
    }

    /**
     * The key to claim.
     *
     * @return null when the agent sent none
     * @throws BrokerException {@code idempotency_key_invalid} when it is malformed
     */
    public static String validated(String sent) {
        if (sent == null) {
            return null;
        }
        if (!isWellFormed(sent)) {
            throw new BrokerException(ErrorCode.IDEMPOTENCY_KEY_INVALID, "an idempotency key is 1 to "
                    + IdempotencyScope.MAX_KEY_LENGTH + " visible ASCII characters");
        }
        return sent;
    }
}
