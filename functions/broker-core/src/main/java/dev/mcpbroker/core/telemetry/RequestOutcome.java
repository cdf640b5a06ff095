package dev.mcpbroker.core.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.FailureClass;
import dev.mcpbroker.core.jsonrpc.JsonRpc;

/**
 * How an MCP request ended, in the terms traces, logs and metrics share.
 *
 * @param outcome      {@code ok}, {@code tool_error} (a tool's own failure, passed through as data), or the
 *                     failure class of a failed request; an upstream's JSON-RPC error counts as
 *                     {@code deterministic}
 * @param errorType    null on success; the JSON-RPC error code as text, or {@code tool_error}
 * @param reason       the broker's stable reason ({@code error.data.reason}) when the broker refused or
 *                     failed the request, else null
 * @param failureClass the failure class of a failed request, else null
 */
public record RequestOutcome(String outcome, String errorType, String reason, FailureClass failureClass) {

    public static final String TOOL_ERROR = "tool_error";
    public static final RequestOutcome OK = new RequestOutcome("ok", null, null, null);

    public boolean failed() {
        return errorType != null;
    }

    /**
     * The outcome of a JSON-RPC response the agent receives: a result (possibly a tool's error), or an
     * error passed through from the upstream. No body (an accepted notification) is a success.
     */
    public static RequestOutcome of(JsonNode response) {
        String errorType = errorTypeOf(response);
        if (errorType == null) {
            return OK;
        }
        if (TOOL_ERROR.equals(errorType)) {
            return new RequestOutcome(TOOL_ERROR, TOOL_ERROR, null, null);
        }
        return new RequestOutcome(FailureClass.DETERMINISTIC.wireName(), errorType, null, FailureClass.DETERMINISTIC);
    }

    /** A request the broker refused or failed. */
    public static RequestOutcome of(BrokerException failure) {
        return new RequestOutcome(failure.failureClass().wireName(), Integer.toString(failure.code().jsonRpcCode()),
                failure.code().reason(), failure.failureClass());
    }

    /**
     * The semantic conventions' {@code error.type} of a JSON-RPC response: null for a successful result,
     * {@code tool_error} for a {@code CallToolResult} with {@code isError}, else the error code as text.
     */
    public static String errorTypeOf(JsonNode response) {
        if (response == null) {
            return null;
        }
        if (response.has(JsonRpc.ERROR)) {
            JsonNode code = response.path(JsonRpc.ERROR).path(JsonRpc.CODE);
            return code.isIntegralNumber() ? code.asText() : "_OTHER";
        }
        return response.path(JsonRpc.RESULT).path("isError").asBoolean(false) ? TOOL_ERROR : null;
    }
}
