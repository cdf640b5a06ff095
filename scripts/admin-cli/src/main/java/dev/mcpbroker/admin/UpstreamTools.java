package dev.mcpbroker.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.pinning.ToolDefinition;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.SecretCredentials;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamCredential;
import dev.mcpbroker.core.upstream.UpstreamEndpoints;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.core.telemetry.UpstreamTracing;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The tool definitions an upstream serves now, read by the admin CLI itself the way the broker reads them: with the
 * registry's endpoint and the upstream's credential from Secrets Manager, in an upstream session that is ended at once
 * (or as stateless requests to a 2026-07-28 server), every page of {@code tools/list}.
 */
final class UpstreamTools {

    private static final int MAX_PAGES = 20;
    private static final long MAX_RESPONSE_BYTES = 16L << 20;

    private final ObjectMapper mapper = new ObjectMapper();
    private final UpstreamExchange exchange;

    /** @param localDevelopment whether http and loopback endpoints may be contacted (local runs only) */
    UpstreamTools(SecretsManagerClient secrets, boolean localDevelopment) {
        CredentialSource credentials = (server, refresh) -> server.auth().scheme() == dev.mcpbroker.core.upstream.UpstreamAuth.Scheme.NONE
                ? UpstreamCredential.NONE : SecretCredentials.of(server, secret(secrets, server), mapper);
        this.exchange = new UpstreamExchange(new HttpUpstreamClient(mapper, MAX_RESPONSE_BYTES), credentials, mapper,
                UpstreamTracing.NONE, UpstreamEndpoints.of(localDevelopment));
    }

    /** The live definitions, by name, in the order the upstream lists them. */
    Map<String, ToolDefinition> list(UpstreamServer server) {
        if (server.declaredGeneration().orElse(null) != McpMethod.Generation.STATELESS) {
            ObjectNode initialize = request("admin-initialize", McpMethods.INITIALIZE);
            ObjectNode params = initialize.putObject(JsonRpc.PARAMS).put("protocolVersion", ProtocolVersions.SUPPORTED.get(0));
            params.putObject("capabilities");
            params.putObject("clientInfo").put("name", "mcp-broker-admin").put("version", "1");
            UpstreamExchange.Opened opened = openOrNull(server, initialize);
            if (opened != null && !opened.refused()) {
                try {
                    return pages(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity(), false);
                } finally {
                    exchange.terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
                }
            }
        }
        return pages(server, null, ProtocolVersions.V2026_07_28, UpstreamAffinity.NONE, true);
    }

    private UpstreamExchange.Opened openOrNull(UpstreamServer server, ObjectNode initialize) {
        try {
            return exchange.open(server, initialize);
        } catch (BrokerException e) {
            if (e.code() == ErrorCode.UPSTREAM_REJECTED) {
                return null; // a 2026-07-28 server without sessions
            }
            throw e;
        }
    }

    private Map<String, ToolDefinition> pages(UpstreamServer server, String sessionId, String version,
                                              UpstreamAffinity affinity, boolean stateless) {
        Map<String, ToolDefinition> tools = new LinkedHashMap<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode list = request("admin-tools-" + page, McpMethods.TOOLS_LIST);
            if (cursor != null) {
                list.putObject(JsonRpc.PARAMS).put("cursor", cursor);
            }
            Map<String, String> headers = Map.of();
            if (stateless) {
                list = StatelessTranslation.toStateless(list, version, mapper.createObjectNode(),
                        mapper.createObjectNode().put("name", "mcp-broker-admin").put("version", "1"));
                headers = StatelessTranslation.headers(list);
            }
            ObjectNode response = exchange.send(server, list, sessionId, version, affinity, headers).response()
                    .orElseThrow(() -> new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR, "no answer to tools/list"));
            if (response.has(JsonRpc.ERROR)) {
                throw new BrokerException(ErrorCode.UPSTREAM_REJECTED, "tools/list was answered with an error");
            }
            JsonNode result = response.path(JsonRpc.RESULT);
            for (JsonNode tool : result.path("tools")) {
                ToolDefinition definition = ToolDefinition.of(tool);
                tools.put(definition.name(), definition);
            }
            cursor = result.path("nextCursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                return tools;
            }
        }
        throw new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR, "tools/list pages without end");
    }

    private ObjectNode request(String id, String method) {
        return mapper.createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION).put(JsonRpc.ID, id).put(JsonRpc.METHOD, method);
    }

    private static String secret(SecretsManagerClient secrets, UpstreamServer server) {
        try {
            String value = secrets.getSecretValue(b -> b.secretId(server.auth().secretId())).secretString();
            if (value == null || value.isEmpty()) {
                throw new StoreUnavailableException("the secret of '" + server.id() + "' has no string value", null);
            }
            return value;
        } catch (SdkException e) {
            throw new StoreUnavailableException("the secret of '" + server.id() + "' could not be read: "
                    + e.getClass().getSimpleName(), e);
        }
    }
}
