package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.function.auth.AuthConfig;
import dev.mcpbroker.function.auth.ProtectedResourceMetadataResource;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP responses: an HTTP status and a JSON-RPC error whose
 * {@code data} carries the stable reason and the failure class. Stack traces stay in the log.
 */
public class JsonRpcErrorMapper {

    private static final Logger LOG = Logger.getLogger(JsonRpcErrorMapper.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JsonRpcCodec codec;
    private final String challenge;

    @Inject
    public JsonRpcErrorMapper(JsonRpcCodec codec, AuthConfig auth) {
        this.codec = codec;
        // RFC 9728 section 5.1: tell the client where the protected resource metadata lives.
        String resource = auth.resource().toString().replaceAll("/+$", "");
        this.challenge = "Bearer error=\"invalid_token\", resource_metadata=\"" + resource
                + ProtectedResourceMetadataResource.WELL_KNOWN_PATH + "\"";
    }

    @ServerExceptionMapper
    public Response brokerError(BrokerException e) {
        if (e.code().kind() == ErrorCode.Kind.INTERNAL) {
            LOG.error("internal error while handling an MCP request", e);
        }
        Response.ResponseBuilder response = Response.status(e.code().httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(codec.write(body(e.requestId().orElse(null), e.code(), e.getMessage(), e)));
        e.retryAfter().ifPresent(delay -> response.header(HttpHeaders.RETRY_AFTER, Math.max(1, delay.toSeconds())));
        if (e.code().isAuthenticationFailure()) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        if (e.code() == ErrorCode.METHOD_NOT_ALLOWED) {
            response.header(HttpHeaders.ALLOW, "POST, DELETE");
        }
        return response.build();
    }

    /** A state store that could not be asked, wherever it was asked: nothing was sent upstream. */
    @ServerExceptionMapper
    public Response stateUnavailable(StoreUnavailableException e) {
        return brokerError(BrokerException.of(e));
    }

    /** Framework-level refusals (unknown path, wrong method, unreadable body) in the same JSON-RPC shape. */
    @ServerExceptionMapper
    public Response frameworkError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
        if (status >= 500) {
            LOG.error("request failed inside the framework", e);
        }
        String message = status == 404 ? "no such endpoint; agents use /mcp/{server}" : "request refused: HTTP " + status;
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(codec.write(body(null, code, message, null)))
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure while handling an MCP request", e);
        return Response.status(500)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(codec.write(body(null, ErrorCode.INTERNAL_ERROR, "internal error", null)))
                .build();
    }

    private static ObjectNode body(JsonNode id, ErrorCode code, String message, BrokerException e) {
        ObjectNode data = JSON.objectNode()
                .put("reason", code.reason())
                .put("failureClass", (e == null ? code.failureClass() : e.failureClass()).wireName());
        if (e != null) {
            e.retryAfter().ifPresent(delay -> data.put("retryAfter", Math.max(1, delay.toSeconds())));
            // what the specification puts in data (supported versions, for one) sits beside the broker's own fields
            e.data().ifPresent(extra -> extra.properties().forEach(field -> data.putIfAbsent(field.getKey(), field.getValue())));
        }
        ObjectNode error = JSON.objectNode()
                .put(JsonRpc.CODE, code.jsonRpcCode())
                .put(JsonRpc.MESSAGE, message);
        error.set(JsonRpc.DATA, data);
        ObjectNode body = JSON.objectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        body.set(JsonRpc.ID, id == null ? JSON.nullNode() : id);
        body.set(JsonRpc.ERROR, error);
        return body;
    }
}
