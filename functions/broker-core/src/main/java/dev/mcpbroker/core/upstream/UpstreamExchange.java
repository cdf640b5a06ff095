package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.telemetry.RequestOutcome;
import dev.mcpbroker.core.telemetry.TraceContext;
import dev.mcpbroker.core.telemetry.UpstreamTrace;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every exchange with an upstream goes through here: the upstream's credential is attached, its
 * session's affinity cookies replayed, the credential redacted from everything the upstream answers,
 * and failures turned into broker errors with their failure class. An upstream 401 means the request
 * was refused before anything ran, so the credential is refreshed (it may have been rotated) and the
 * request sent once more. Each exchange is traced, and its trace context travels with it: in the HTTP
 * headers and in the message's {@code params._meta}.
 */
public final class UpstreamExchange {

    private static final System.Logger LOG = System.getLogger(UpstreamExchange.class.getName());

    /** An upstream session just opened: the upstream's answer to initialize and what identifies the session. */
    public record Opened(ObjectNode response, String upstreamSessionId, String protocolVersion, UpstreamAffinity affinity) {

        public boolean refused() {
            return response.has(JsonRpc.ERROR);
        }
    }

    private final UpstreamClient client;
    private final CredentialSource credentials;
    private final ObjectMapper mapper;
    private final UpstreamTracing tracing;
    private final UpstreamEndpoints endpoints;

    /** @param endpoints which endpoints may be contacted at all; checked before every exchange */
    public UpstreamExchange(UpstreamClient client, CredentialSource credentials, ObjectMapper mapper, UpstreamTracing tracing,
                            UpstreamEndpoints endpoints) {
        this.client = Objects.requireNonNull(client);
        this.credentials = Objects.requireNonNull(credentials);
        this.mapper = Objects.requireNonNull(mapper);
        this.tracing = Objects.requireNonNull(tracing);
        this.endpoints = Objects.requireNonNull(endpoints);
    }

    /**
     * Sends one message.
     *
     * @throws BrokerException classified; {@code upstream_session_lost} when the upstream no longer knows the session
     */
    public UpstreamReply send(UpstreamServer server, ObjectNode message, String upstreamSessionId, String version,
                              UpstreamAffinity affinity, Map<String, String> headers) {
        endpoints.check(server);
        UpstreamCredential credential = credential(server, false);
        try {
            return redacted(sendWith(server, message, upstreamSessionId, version, affinity, credential, headers), credential);
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.REJECTED && e.status() == 401 && !credential.headers().isEmpty()) {
                UpstreamCredential refreshed = credential(server, true);
                try {
                    return redacted(sendWith(server, message, upstreamSessionId, version, affinity, refreshed, headers), refreshed);
                } catch (UpstreamException retryFailure) {
                    throw failure(server, retryFailure);
                }
            }
            throw failure(server, e);
        }
    }

    /**
     * Opens an upstream session: initialize, then notifications/initialized. A session the upstream
     * opened but that cannot be used (unsupported version, failed notification) is ended again.
     *
     * @param initialize the initialize request to send (its id is the caller's)
     * @return the upstream's answer; {@link Opened#refused()} when it answered with a JSON-RPC error
     */
    public Opened open(UpstreamServer server, ObjectNode initialize) {
        // a server of both generations reads a request without a session as 2026-07-28 traffic unless the header
        // names a legacy revision (and no _meta says otherwise): say which generation this is
        String requested = initialize.path(JsonRpc.PARAMS).path("protocolVersion").asText(null);
        UpstreamReply reply = send(server, initialize, null, requested, UpstreamAffinity.NONE, Map.of());
        ObjectNode response = reply.response().orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                "upstream '" + server.id() + "' answered initialize without a response"));
        String upstreamSessionId = reply.upstreamSessionId().orElse(null);
        UpstreamAffinity affinity = UpstreamAffinity.NONE.merge(reply.setCookies());
        if (response.has(JsonRpc.ERROR)) {
            return new Opened(response, null, null, affinity); // the upstream refused; no session exists anywhere
        }
        String version = response.path(JsonRpc.RESULT).path("protocolVersion").asText("");
        if (!ProtocolVersions.isSupported(version)) {
            terminateQuietly(server, upstreamSessionId, null, affinity);
            throw new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                    "upstream '" + server.id() + "' negotiated an unsupported protocol version");
        }
        ObjectNode initialized = mapper.createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.METHOD, McpMethods.NOTIFICATIONS_INITIALIZED);
        try {
            UpstreamReply notified = send(server, initialized, upstreamSessionId, version, affinity, Map.of());
            affinity = affinity.merge(notified.setCookies());
        } catch (BrokerException e) {
            terminateQuietly(server, upstreamSessionId, version, affinity);
            throw e;
        }
        return new Opened(response, upstreamSessionId, version, affinity);
    }

    /** Ends an upstream session, best effort: the upstream expires it on its own anyway. */
    public void terminateQuietly(UpstreamServer server, String upstreamSessionId, String version, UpstreamAffinity affinity) {
        if (upstreamSessionId == null || endpoints.problem(server.endpoint()).isPresent()) {
            return;
        }
        UpstreamTrace trace = tracing.begin(server.id(), server.endpoint(), null, null);
        try {
            Map<String, String> headers = new HashMap<>(credential(server, false).headers());
            if (!affinity.isEmpty()) {
                headers.put("Cookie", affinity.cookieHeader());
            }
            headers.putAll(trace.context().fields());
            client.terminate(server, upstreamSessionId, version, headers);
            trace.answered(0, null);
        } catch (UpstreamException | BrokerException e) {
            trace.failed(e instanceof UpstreamException u ? errorType(u) : "credential_unavailable",
                    e instanceof UpstreamException u ? u.status() : 0);
            LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' session could not be ended: " + e.getMessage());
        } finally {
            trace.end();
        }
    }

    /** One HTTP exchange, traced; the trace context goes along in the headers and in the message's {@code _meta}. */
    private UpstreamReply sendWith(UpstreamServer server, ObjectNode message, String upstreamSessionId, String version,
                                   UpstreamAffinity affinity, UpstreamCredential credential, Map<String, String> headers) {
        String method = message.path(JsonRpc.METHOD).asText(null);
        String tool = McpMethods.TOOLS_CALL.equals(method) ? message.path(JsonRpc.PARAMS).path("name").asText(null) : null;
        UpstreamTrace trace = tracing.begin(server.id(), server.endpoint(), method, tool);
        try {
            Map<String, String> all = new HashMap<>(headers);
            if (!affinity.isEmpty()) {
                all.put("Cookie", affinity.cookieHeader());
            }
            all.putAll(credential.headers());
            TraceContext context = trace.context();
            all.putAll(context.fields());
            ObjectNode sent = McpMethods.INITIALIZE.equals(method) ? withoutMeta(message) : context.into(message);
            UpstreamReply reply = client.send(server, new UpstreamCall(sent, upstreamSessionId, version, all));
            trace.answered(reply.status(), RequestOutcome.errorTypeOf(reply.response().orElse(null)));
            return reply;
        } catch (UpstreamException e) {
            trace.failed(errorType(e), e.status());
            throw e;
        } catch (RuntimeException e) {
            trace.failed("_OTHER", 0);
            throw e;
        } finally {
            trace.end();
        }
    }

    /**
     * A legacy {@code initialize} carries no {@code _meta}: a server of both generations would read it as a 2026-07-28
     * request and refuse it. The trace context still travels, in the headers.
     */
    private static ObjectNode withoutMeta(ObjectNode initialize) {
        if (!initialize.path(JsonRpc.PARAMS).has(McpMeta.META)) {
            return initialize;
        }
        ObjectNode copy = initialize.deepCopy();
        ((ObjectNode) copy.get(JsonRpc.PARAMS)).remove(McpMeta.META);
        return copy;
    }

    /** A failed exchange's {@code error.type}: the kind of failure, e.g. {@code unreachable}, {@code session_gone}. */
    private static String errorType(UpstreamException e) {
        return e.kind().name().toLowerCase(Locale.ROOT);
    }

    private static UpstreamReply redacted(UpstreamReply reply, UpstreamCredential credential) {
        if (credential.secretValues().isEmpty()) {
            return reply;
        }
        SecretRedactor redactor = SecretRedactor.of(credential.secretValues());
        reply.response().ifPresent(redactor::redact);
        reply.relayed().forEach(redactor::redact);
        return reply;
    }

    private UpstreamCredential credential(UpstreamServer server, boolean refresh) {
        try {
            return credentials.resolve(server, refresh);
        } catch (StoreUnavailableException e) {
            throw new BrokerException(ErrorCode.CREDENTIAL_UNAVAILABLE,
                    "the credential of upstream '" + server.id() + "' could not be resolved", e);
        }
    }

    private static BrokerException failure(UpstreamServer server, UpstreamException e) {
        LOG.log(Level.INFO, () -> "upstream '" + server.id() + "' failed: " + e.kind() + " (" + e.getMessage() + ")");
        return UpstreamFailures.toBrokerException(server.id(), e);
    }

}
