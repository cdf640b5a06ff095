package dev.mcpbroker.core.jsonrpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.io.IOException;
import java.util.Objects;

/**
 * Reads and validates single JSON-RPC 2.0 messages. Streamable HTTP carries exactly one message per POST
 * since protocol revision 2025-06-18, so arrays (batches) are refused.
 */
public final class JsonRpcCodec {

    /** Nesting deeper than this is refused: no MCP message needs it and it protects the parser. */
    private static final int MAX_NESTING_DEPTH = 64;

    private final ObjectMapper mapper;

    public JsonRpcCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** Parses one message, throwing a {@link BrokerException} with a JSON-RPC parse or invalid-request error. */
    public JsonRpcMessage parse(byte[] body) {
        JsonNode tree;
        try (JsonParser parser = mapper.getFactory().createParser(body)) {
            tree = mapper.readTree(parser);
            if (parser.nextToken() != null) {
                throw new BrokerException(ErrorCode.PARSE_ERROR, "trailing content after the JSON value");
            }
        } catch (JsonProcessingException e) {
            throw new BrokerException(ErrorCode.PARSE_ERROR, "body is not valid JSON");
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.PARSE_ERROR, "body could not be read as JSON");
        }
        if (tree == null || tree.isMissingNode()) {
            throw new BrokerException(ErrorCode.PARSE_ERROR, "body is empty");
        }
        if (tree.isArray()) {
            throw new BrokerException(ErrorCode.BATCH_NOT_SUPPORTED,
                    "JSON-RPC batches are not supported: send one message per request");
        }
        if (!(tree instanceof ObjectNode json)) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "a JSON-RPC message must be a JSON object");
        }
        if (depth(json, 0) > MAX_NESTING_DEPTH) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "message nests deeper than " + MAX_NESTING_DEPTH);
        }
        return classify(json);
    }

    /** Classifies an already parsed object (used for messages read from upstream streams, too). */
    public JsonRpcMessage classify(ObjectNode json) {
        if (!JsonRpc.VERSION.equals(json.path(JsonRpc.JSONRPC).asText(null))) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
        }
        JsonNode id = json.get(JsonRpc.ID);
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || (id.isNull() && !json.has(JsonRpc.METHOD)))) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST, "\"id\" must be a string or an integer");
        }
        JsonNode method = json.get(JsonRpc.METHOD);
        if (method != null) {
            if (!method.isTextual() || method.asText().isEmpty()) {
                throw new BrokerException(ErrorCode.INVALID_REQUEST, "\"method\" must be a non-empty string");
            }
            JsonNode params = json.get(JsonRpc.PARAMS);
            if (params != null && !params.isObject()) {
                throw new BrokerException(ErrorCode.INVALID_REQUEST, "\"params\" must be an object");
            }
            return id == null
                    ? new JsonRpcMessage.Notification(json, method.asText())
                    : new JsonRpcMessage.Request(json, id, method.asText());
        }
        boolean hasResult = json.has(JsonRpc.RESULT);
        boolean hasError = json.has(JsonRpc.ERROR);
        if (id == null || hasResult == hasError) {
            throw new BrokerException(ErrorCode.INVALID_REQUEST,
                    "message is neither a request, a notification nor a response");
        }
        return new JsonRpcMessage.Response(json, id);
    }

    public byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be serialised", e);
        }
    }

    private static int depth(JsonNode node, int current) {
        if (current > MAX_NESTING_DEPTH || !node.isContainerNode()) {
            return current;
        }
        int max = current + 1;
        for (JsonNode child : node) {
            max = Math.max(max, depth(child, current + 1));
            if (max > MAX_NESTING_DEPTH) {
                break;
            }
        }
        return max;
    }

    /** Default parser limits, tightened: protects against huge numbers and names in hostile bodies. */
    public static ObjectMapper hardened(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH * 2)
                .maxNumberLength(100)
                .build());
        return mapper;
    }
}
