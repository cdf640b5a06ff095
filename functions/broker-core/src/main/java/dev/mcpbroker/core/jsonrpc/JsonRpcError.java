package dev.mcpbroker.core.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code error} member of a JSON-RPC response.
 *
 * @param code    JSON-RPC error code
 * @param message short human-readable description; never contains payloads or secrets
 * @param data    structured detail (the broker puts its stable reason and failure class here), or null
 */
public record JsonRpcError(int code, String message, JsonNode data) {
}
