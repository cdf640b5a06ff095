package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.policy.ServerGrant;
import java.util.Objects;

/**
 * {@code server/discover}, answered by the broker: what the upstream says of itself (its discovery result, or a
 * legacy upstream's initialize result), with the capabilities narrowed to what the caller's grant lets it use and
 * the versions the broker speaks statelessly. The upstream is asked at most once per cache period, not per agent.
 */
final class Discovery {

    private final UpstreamGenerations generations;
    private final AuditBracket audit;
    private final Replies replies;
    private final ObjectMapper mapper;

    Discovery(UpstreamGenerations generations, AuditBracket audit, Replies replies, ObjectMapper mapper) {
        this.generations = Objects.requireNonNull(generations);
        this.audit = Objects.requireNonNull(audit);
        this.replies = Objects.requireNonNull(replies);
        this.mapper = Objects.requireNonNull(mapper);
    }

    ObjectNode answer(Exchange exchange, ServerGrant grant) {
        audit.allowed(exchange.subject(), "server_discover");
        UpstreamGenerations.Learned learned = generations.learned(exchange.server());
        ObjectNode about = learned.discovery() != null ? learned.discovery()
                : generations.initializeResultOf(exchange.server());
        ObjectNode result = mapper.createObjectNode();
        ProtocolVersions.MODERN.forEach(result.putArray("supportedVersions")::add);
        ObjectNode capabilities = narrowed(about.path("capabilities"), grant);
        if (learned.discovery() == null) {
            withoutChangeNotifications(capabilities);
        }
        result.set("capabilities", capabilities);
        if (about.path("instructions").isTextual()) {
            result.put("instructions", about.path("instructions").asText());
        }
        JsonNode serverInfo = about.path(McpMeta.META).path(McpMeta.SERVER_INFO).isObject()
                ? about.path(McpMeta.META).path(McpMeta.SERVER_INFO) : about.path("serverInfo");
        if (serverInfo.isObject()) {
            result.putObject(McpMeta.META).set(McpMeta.SERVER_INFO, serverInfo);
        }
        return replies.result(exchange.jsonRpcRequest().id(), result);
    }

    /**
     * A legacy upstream announces list changes and resource updates on a session stream the broker does not hold for
     * stateless agents, and {@code subscriptions/listen} cannot reach it: promise none of them.
     */
    private static void withoutChangeNotifications(ObjectNode capabilities) {
        for (String capability : new String[] {"tools", "prompts", "resources"}) {
            if (capabilities.get(capability) instanceof ObjectNode flags) {
                flags.remove("listChanged");
                flags.remove("subscribe");
            }
        }
    }

    /** The upstream's capabilities without those the grant leaves the caller no use for. */
    private ObjectNode narrowed(JsonNode capabilities, ServerGrant grant) {
        ObjectNode narrowed = capabilities instanceof ObjectNode object ? object.deepCopy() : mapper.createObjectNode();
        if (grant.tools() != null && grant.tools().isEmpty()) {
            narrowed.remove("tools");
        }
        boolean resources = grant.resources() != null && !grant.resources().isEmpty();
        boolean prompts = grant.prompts() != null && !grant.prompts().isEmpty();
        if (!resources) {
            narrowed.remove("resources");
        }
        if (!prompts) {
            narrowed.remove("prompts");
        }
        if (!resources && !prompts) {
            narrowed.remove("completions");
        }
        return narrowed;
    }
}
