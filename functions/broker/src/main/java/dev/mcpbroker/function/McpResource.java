package dev.mcpbroker.function;

import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.broker.BrokerRequest;
import dev.mcpbroker.core.broker.BrokerResponse;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentAuthenticator;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.mcp.McpHeaders;
import dev.mcpbroker.core.mcp.OriginPolicy;
import dev.mcpbroker.function.telemetry.McpRequest;
import dev.mcpbroker.function.telemetry.McpTelemetry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The agent-facing Streamable HTTP endpoint, one per registered upstream server. Authenticates, decodes
 * HTTP, delegates to {@link McpBroker}, encodes the answer; errors are encoded by {@link JsonRpcErrorMapper}.
 * The agent's token stops here: it is never forwarded upstream. Every request is traced, measured and
 * logged once ({@link McpTelemetry}), refused ones included.
 */
@Path("/mcp/{server}")
public class McpResource {

    private static final String ORIGIN = "Origin";
    private static final String EVENT_STREAM = "text/event-stream";

    private final McpBroker broker;
    private final AgentAuthenticator authenticator;
    private final OriginPolicy origins;
    private final JsonRpcCodec codec;
    private final McpTelemetry telemetry;
    private final BrokerMetrics metrics;

    @Inject
    public McpResource(McpBroker broker, AgentAuthenticator authenticator, OriginPolicy origins, JsonRpcCodec codec,
                       McpTelemetry telemetry, BrokerMetrics metrics) {
        this.broker = broker;
        this.authenticator = authenticator;
        this.origins = origins;
        this.codec = codec;
        this.telemetry = telemetry;
        this.metrics = metrics;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response post(@PathParam("server") String server,
                         @HeaderParam(ORIGIN) String origin,
                         @HeaderParam(HttpHeaders.HOST) String host,
                         @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @HeaderParam(McpHeaders.SESSION_ID) String sessionId,
                         @HeaderParam(McpHeaders.PROTOCOL_VERSION) String protocolVersion,
                         @HeaderParam(McpHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
                         @HeaderParam(McpHeaders.TASK_ID) String taskId,
                         @HeaderParam(McpHeaders.MCP_METHOD) String mcpMethod,
                         @HeaderParam(McpHeaders.MCP_NAME) String mcpName,
                         @HeaderParam(HttpHeaders.ACCEPT) List<String> accept,
                         @HeaderParam("Content-Type") String contentType,
                         @Context HttpHeaders headers,
                         byte[] body) {
        return traced("POST", server, trace -> {
            AgentIdentity identity = admitted(origin, host, authorization, server);
            if (contentType == null || !MediaType.APPLICATION_JSON_TYPE.isCompatible(MediaType.valueOf(contentType))) {
                throw new BrokerException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
            }
            BrokerRequest.Transport transport = new BrokerRequest.Transport(mcpMethod, mcpName, acceptsEventStream(accept),
                    paramHeaders(headers));
            return broker.post(new BrokerRequest(identity, server, sessionId, protocolVersion, idempotencyKey, taskId,
                    transport, body), trace);
        });
    }

    @DELETE
    public Response delete(@PathParam("server") String server,
                           @HeaderParam(ORIGIN) String origin,
                           @HeaderParam(HttpHeaders.HOST) String host,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @HeaderParam(McpHeaders.SESSION_ID) String sessionId,
                           @HeaderParam(McpHeaders.PROTOCOL_VERSION) String protocolVersion) {
        return traced("DELETE", server, trace ->
                broker.delete(admitted(origin, host, authorization, server), server, sessionId, protocolVersion, trace));
    }

    /** Server-to-client streams need a connection the HTTP API cannot hold; the spec allows 405. */
    @GET
    public Response get(@PathParam("server") String server) {
        return traced("GET", server, trace -> {
            throw new BrokerException(ErrorCode.METHOD_NOT_ALLOWED, "this endpoint offers no server-to-client stream; use POST");
        });
    }

    /**
     * Runs one request inside its trace: the trace ends, with its outcome, before the answer (or the
     * failure, which {@link JsonRpcErrorMapper} encodes) leaves.
     */
    private Response traced(String httpMethod, String server, Function<McpRequest, BrokerResponse> handling) {
        McpRequest request = telemetry.begin(httpMethod, server);
        try {
            return encode(request.answered(handling.apply(request)));
        } catch (RuntimeException | Error e) {
            request.failed(e);
            throw e;
        } finally {
            request.end();
        }
    }

    /** The checks of the transport edge, before the policy layer: origin and host, then the agent's token. */
    private AgentIdentity admitted(String origin, String host, String authorization, String server) {
        try {
            origins.check(origin, host);
            return authenticator.authenticate(authorization, server);
        } catch (BrokerException e) {
            int status = e.code().httpStatus();
            if (status == 401 || status == 403) {
                metrics.requestDenied(e.code().reason());
            }
            throw e;
        }
    }

    private Response encode(BrokerResponse response) {
        Response.ResponseBuilder builder = Response.status(response.status());
        response.headers().forEach(builder::header);
        if (response.isEventStream()) {
            return builder.entity(eventStream(response)).type(EVENT_STREAM).build();
        }
        response.body().ifPresent(body -> builder.entity(codec.write(body)).type(MediaType.APPLICATION_JSON_TYPE));
        return builder.build();
    }

    /**
     * The upstream's notifications, then the answer, as one buffered event stream: API Gateway's REST integration
     * returns a response whole, so the events arrive together, in order, before the answer that ends the stream.
     */
    private byte[] eventStream(BrokerResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ObjectNode event : response.events()) {
            writeEvent(out, event);
        }
        writeEvent(out, response.body().orElseThrow());
        return out.toByteArray();
    }

    private void writeEvent(ByteArrayOutputStream out, ObjectNode message) {
        // the codec writes one line: JSON strings escape their line breaks
        out.writeBytes("event: message\ndata: ".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(codec.write(message));
        out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code Mcp-Param-*} headers, by their name as sent (the first value of each). */
    private static Map<String, String> paramHeaders(HttpHeaders headers) {
        Map<String, String> params = new HashMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            if (name.regionMatches(true, 0, BrokerRequest.Transport.PARAM_HEADER_PREFIX, 0,
                    BrokerRequest.Transport.PARAM_HEADER_PREFIX.length()) && !values.isEmpty()) {
                params.put(name, values.get(0));
            }
        });
        return params;
    }

    /** Whether {@code Accept} admits an event stream (absent, it admits JSON only: the broker never needs to stream). */
    static boolean acceptsEventStream(List<String> accept) {
        if (accept == null) {
            return false;
        }
        // one header or several, each a list: the framework may have split a comma-separated value already
        for (String value : accept) {
            for (String range : value.split(",")) {
                String type = range.split(";", 2)[0].trim();
                if (type.equalsIgnoreCase(EVENT_STREAM)) {
                    return true;
                }
            }
        }
        return false;
    }
}
