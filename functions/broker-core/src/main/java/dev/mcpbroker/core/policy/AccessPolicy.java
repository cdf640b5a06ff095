package dev.mcpbroker.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.identity.AgentIdentity;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Who may call what. Deny by default: an agent without an allowlist entry, a server, tool, resource, prompt or
 * method it was not granted, and anything switched off are refused before the upstream is contacted; list results
 * are narrowed to what the agent may use. Grants are read through a cache, so a change takes effect within
 * {@code cacheTtl} on every instance.
 */
public final class AccessPolicy {

    private final PolicyStore store;
    private final TtlCache<String, Optional<AgentGrant>> grants;
    private final TtlCache<String, Optional<RateLimit>> tenantLimits;

    public AccessPolicy(PolicyStore store, Duration cacheTtl, Clock clock) {
        this.store = store;
        this.grants = new TtlCache<>(cacheTtl, clock);
        this.tenantLimits = new TtlCache<>(cacheTtl, clock);
    }

    /**
     * The agent's allowlist entry: it must exist, and the token's tenant (if it names one) must be the entry's.
     * Checked first, so that an identity the allowlist does not know is refused before anything is counted or
     * recorded for it.
     */
    public AgentGrant agent(AgentIdentity identity) {
        AgentGrant grant = grants.get(identity.agentId(), store::agent).orElseThrow(() ->
                new BrokerException(ErrorCode.AGENT_NOT_ALLOWED, "this agent is not on the allowlist"));
        if (identity.tenant().isPresent() && !identity.tenantId().equals(grant.tenantId())) {
            throw new BrokerException(ErrorCode.TENANT_MISMATCH, "the token's tenant is not this agent's tenant");
        }
        return grant;
    }

    /**
     * Admits a request to {@code server}: the agent is on the allowlist, its token names the allowlist's tenant (or
     * none), the server is granted and not switched off. Checked on every request, not only on initialize, so a
     * revoked grant or a kill switch also stops sessions already open.
     *
     * @return the owner a new session gets, and an existing session must have
     */
    public SessionOwner admit(AgentIdentity identity, UpstreamServer server) {
        AgentGrant grant = agent(identity);
        serverGrant(grant, server);
        return new SessionOwner(identity.agentId(), grant.tenantId(), identity.onBehalfOf());
    }

    /** The agent's grant of {@code server} (refused as {@link #admit} refuses). */
    public ServerGrant grantOf(AgentIdentity identity, UpstreamServer server) {
        return serverGrant(agent(identity), server);
    }

    /** Refuses a {@code tools/call} of a tool the agent was not granted, or that is switched off. */
    public void checkToolCall(AgentIdentity identity, UpstreamServer server, String tool) {
        ServerGrant grant = serverGrant(agent(identity), server);
        if (server.controls().isToolKilled(tool)) {
            throw new BrokerException(ErrorCode.TOOL_KILLED, "tool '" + tool + "' is switched off on this server");
        }
        if (!grant.allowsTool(tool)) {
            throw new BrokerException(ErrorCode.TOOL_NOT_ALLOWED, "tool '" + tool + "' is not allowed for this agent");
        }
    }

    /** Refuses a read of, or subscription to, a resource the agent was not granted or that is switched off. */
    public void checkResource(AgentIdentity identity, UpstreamServer server, String uri) {
        checkResource(serverGrant(agent(identity), server), server.controls(), uri, false);
    }

    /** Refuses a completion of a resource template the agent was not granted or that is switched off. */
    public void checkResourceTemplate(AgentIdentity identity, UpstreamServer server, String uriTemplate) {
        checkResource(serverGrant(agent(identity), server), server.controls(), uriTemplate, true);
    }

    /** Refuses a prompt (get, completion) the agent was not granted or that is switched off. */
    public void checkPrompt(AgentIdentity identity, UpstreamServer server, String prompt) {
        ServerGrant grant = serverGrant(agent(identity), server);
        if (server.controls().isPromptKilled(prompt)) {
            throw new BrokerException(ErrorCode.PROMPT_KILLED, "this prompt is switched off on this server");
        }
        if (!grant.allowsPrompt(prompt)) {
            throw new BrokerException(ErrorCode.PROMPT_NOT_ALLOWED, "this prompt is not allowed for this agent");
        }
    }

    /** Refuses a method the broker's table does not know unless the agent's grant names it. */
    public void checkUnknownMethod(AgentIdentity identity, UpstreamServer server, String method) {
        if (!serverGrant(agent(identity), server).allowsMethod(method)) {
            throw new BrokerException(ErrorCode.UNKNOWN_METHOD, "this method is not one the broker relays");
        }
    }

    /** Removes from a {@code tools/list} result every tool the agent may not call. */
    public ObjectNode filterToolList(AgentIdentity identity, UpstreamServer server, ObjectNode response) {
        ServerGrant grant = serverGrant(agent(identity), server);
        ServerControls controls = server.controls();
        return keep(response, "tools", "name", name -> grant.allowsTool(name) && !controls.isToolKilled(name));
    }

    /** Removes from a {@code resources/list} result every resource the agent may not read. */
    public ObjectNode filterResourceList(AgentIdentity identity, UpstreamServer server, ObjectNode response) {
        ServerGrant grant = serverGrant(agent(identity), server);
        ServerControls controls = server.controls();
        return keep(response, "resources", "uri", uri -> grant.allowsResource(uri) && !controls.isResourceKilled(uri));
    }

    /** Removes from a {@code resources/templates/list} result every template the agent was not granted. */
    public ObjectNode filterResourceTemplateList(AgentIdentity identity, UpstreamServer server, ObjectNode response) {
        ServerGrant grant = serverGrant(agent(identity), server);
        ServerControls controls = server.controls();
        return keep(response, "resourceTemplates", "uriTemplate",
                template -> grant.allowsResourceTemplate(template) && !controls.isResourceKilled(template));
    }

    /** Removes from a {@code prompts/list} result every prompt the agent may not get. */
    public ObjectNode filterPromptList(AgentIdentity identity, UpstreamServer server, ObjectNode response) {
        ServerGrant grant = serverGrant(agent(identity), server);
        ServerControls controls = server.controls();
        return keep(response, "prompts", "name", name -> grant.allowsPrompt(name) && !controls.isPromptKilled(name));
    }

    public Optional<RateLimit> tenantRateLimit(String tenantId) {
        return tenantLimits.get(tenantId, store::tenantRateLimit);
    }

    private static void checkResource(ServerGrant grant, ServerControls controls, String uri, boolean template) {
        if (controls.isResourceKilled(uri)) {
            throw new BrokerException(ErrorCode.RESOURCE_KILLED, "this resource is switched off on this server");
        }
        if (!(template ? grant.allowsResourceTemplate(uri) : grant.allowsResource(uri))) {
            throw new BrokerException(ErrorCode.RESOURCE_NOT_ALLOWED, "this resource is not allowed for this agent");
        }
    }

    /** Keeps the entries of {@code result.<list>} whose {@code <field>} passes; entries without one are dropped. */
    private static ObjectNode keep(ObjectNode response, String list, String field, Predicate<String> allowed) {
        JsonNode entries = response.path("result").path(list);
        if (entries instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                JsonNode value = array.get(i).path(field);
                if (!value.isTextual() || !allowed.test(value.asText())) {
                    array.remove(i);
                }
            }
        }
        return response;
    }

    static ServerGrant serverGrant(AgentGrant grant, UpstreamServer server) {
        if (server.controls().killed()) {
            throw new BrokerException(ErrorCode.SERVER_KILLED, "this server is switched off");
        }
        return grant.server(server.id()).orElseThrow(() ->
                new BrokerException(ErrorCode.SERVER_NOT_ALLOWED, "this agent may not use this server"));
    }
}
