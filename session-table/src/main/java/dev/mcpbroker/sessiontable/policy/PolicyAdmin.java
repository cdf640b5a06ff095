package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Writes the policy table; used by the admin tool, never by the broker (whose role can only read the
 * table). Every change to an existing item is conditioned on that item existing, so a mistyped id fails
 * with a domain exception instead of creating a half-formed item. AWS exceptions stop here: a failed
 * condition becomes the exception for that failure mode, anything else {@link StoreUnavailableException}.
 */
public final class PolicyAdmin {

    /*
     * Grant is update-else-create. Each lost race means a concurrent administrator created the item, after
     * which the update either applies or meets a tenant conflict, so two rounds settle it; the bound only
     * guards against an item being deleted and re-created underneath us in a loop.
     */
    private static final int GRANT_ATTEMPTS = 4;

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;
    private final PolicyRequests requests;

    public PolicyAdmin(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.tableName = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
        this.requests = new PolicyRequests(tableName, clock);
    }

    public PolicyAdmin(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, Clock.systemUTC());
    }

    /** Registers or re-registers a server. Its kill switches, if any, stay as they are. */
    public void registerServer(String serverId, URI url, UpstreamAuth auth, Duration connectTimeout, Duration requestTimeout) {
        UpdateItemRequest request = requests.registerRequest(serverId, url, auth, connectTimeout, requestTimeout);
        try {
            dynamoDb.updateItem(request);
        } catch (SdkException e) {
            throw unavailable("register server", e);
        }
    }

    /** Points a registered server at another secret, e.g. after rotation to a new secret. */
    public void setSecretId(String serverId, String secretId) {
        PolicyItems.requireNonBlank(secretId, "secretId");
        updateServer(serverId, "set secret id", PolicyExpressions.SET_SECRET_UPDATE, PolicyExpressions.SET_SECRET_NAMES,
                Map.of(":secretId", AttributeValue.fromS(secretId)));
    }

    public void killServer(String serverId) {
        updateServer(serverId, "kill server", PolicyExpressions.KILL_UPDATE, PolicyExpressions.KILL_NAMES,
                Map.of(":killed", AttributeValue.fromBool(true)));
    }

    public void reviveServer(String serverId) {
        updateServer(serverId, "revive server", PolicyExpressions.KILL_UPDATE, PolicyExpressions.KILL_NAMES,
                Map.of(":killed", AttributeValue.fromBool(false)));
    }

    public void killTool(String serverId, String tool) {
        PolicyItems.requireNonBlank(tool, "tool");
        updateServer(serverId, "kill tool", PolicyExpressions.KILL_TOOL_UPDATE, PolicyExpressions.TOOL_NAMES,
                Map.of(":tools", AttributeValue.fromSs(List.of(tool))));
    }

    public void reviveTool(String serverId, String tool) {
        PolicyItems.requireNonBlank(tool, "tool");
        updateServer(serverId, "revive tool", PolicyExpressions.REVIVE_TOOL_UPDATE, PolicyExpressions.TOOL_NAMES,
                Map.of(":tools", AttributeValue.fromSs(List.of(tool))));
    }

    /** Switches a resource (an exact URI, or a prefix ending in {@code *}) off for every agent, or on again. */
    public void killResource(String serverId, String uriOrPrefix, boolean off) {
        switchItem(serverId, "resource", uriOrPrefix, PolicyItems.KILLED_RESOURCES, off);
    }

    /** Switches a prompt off for every agent, or on again. */
    public void killPrompt(String serverId, String prompt, boolean off) {
        switchItem(serverId, "prompt", prompt, PolicyItems.KILLED_PROMPTS, off);
    }

    private void switchItem(String serverId, String what, String name, String setAttribute, boolean off) {
        PolicyItems.requireNonBlank(name, what);
        updateServer(serverId, (off ? "kill " : "revive ") + what,
                off ? PolicyExpressions.SWITCH_OFF_UPDATE : PolicyExpressions.SWITCH_ON_UPDATE,
                PolicyExpressions.switchNames(setAttribute), Map.of(":names", AttributeValue.fromSs(List.of(name))));
    }

    /** How the registry classifies a tool, overriding or deferring to the upstream's annotations. */
    public enum ToolKind { READ_ONLY, STATE_CHANGING, AS_ANNOTATED }

    /** Declares a tool read-only or state-changing whatever its upstream says, or returns it to its annotation. */
    public void setToolKind(String serverId, String tool, ToolKind kind) {
        PolicyItems.requireNonBlank(tool, "tool");
        String update = switch (kind) {
            case READ_ONLY -> PolicyExpressions.DECLARE_READ_ONLY_UPDATE;
            case STATE_CHANGING -> PolicyExpressions.DECLARE_STATE_CHANGING_UPDATE;
            case AS_ANNOTATED -> PolicyExpressions.UNDECLARE_TOOL_UPDATE;
        };
        updateServer(serverId, "set tool kind", update, PolicyExpressions.TOOL_KIND_NAMES,
                Map.of(":tools", AttributeValue.fromSs(List.of(tool))));
    }

    /**
     * Whether state-changing calls on this server must carry an idempotency key: {@code true}, {@code false},
     * or null for the broker's default.
     */
    public void setKeyPolicy(String serverId, Boolean requireKey) {
        if (requireKey == null) {
            updateServer(serverId, "clear key policy", PolicyExpressions.CLEAR_KEY_POLICY_UPDATE,
                    PolicyExpressions.KEY_POLICY_NAMES, Map.of());
        } else {
            updateServer(serverId, "set key policy", PolicyExpressions.SET_KEY_POLICY_UPDATE, PolicyExpressions.KEY_POLICY_NAMES,
                    Map.of(":keyPolicy", AttributeValue.fromS(requireKey ? PolicyItems.KEY_REQUIRED : PolicyItems.KEY_OPTIONAL)));
        }
    }

    /**
     * Sets a server's session cap (empty: the broker's default) and the size of its warm pool.
     */
    public void setSessionLimits(String serverId, SessionLimits limits) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":warmSessions", AttributeValue.fromN(Integer.toString(limits.warmSessions())));
        if (limits.maxSessions().isPresent()) {
            values.put(":maxSessions", AttributeValue.fromN(Integer.toString(limits.maxSessions().getAsInt())));
            updateServer(serverId, "set session limits", PolicyExpressions.SET_SESSION_LIMITS_UPDATE,
                    PolicyExpressions.SESSION_LIMITS_NAMES, values);
        } else {
            updateServer(serverId, "clear session cap", PolicyExpressions.CLEAR_MAX_SESSIONS_UPDATE,
                    PolicyExpressions.SESSION_LIMITS_NAMES, values);
        }
    }

    /**
     * Sets (or, when empty, clears) a tenant's and an agent's share of the server's sessions: how many of its
     * sessions all of one tenant's agents, and one agent, may hold at once.
     */
    public void setSessionShares(String serverId, OptionalInt perTenant, OptionalInt perAgent) {
        setShare(serverId, PolicyItems.MAX_SESSIONS_PER_TENANT, perTenant);
        setShare(serverId, PolicyItems.MAX_SESSIONS_PER_AGENT, perAgent);
    }

    /**
     * Declares the protocol generation a server speaks ({@link McpMethod.Generation#SESSIONS} for 2025-11-25 and
     * earlier, {@link McpMethod.Generation#STATELESS} for 2026-07-28), or with none lets the broker learn it.
     */
    public void setGeneration(String serverId, Optional<McpMethod.Generation> generation) {
        if (generation.isPresent()) {
            updateServer(serverId, "set protocol generation", PolicyExpressions.SET_GENERATION_UPDATE,
                    PolicyExpressions.GENERATION_NAMES,
                    Map.of(":generation", AttributeValue.fromS(PolicyItems.generationWord(generation.get()))));
        } else {
            updateServer(serverId, "clear protocol generation", PolicyExpressions.CLEAR_GENERATION_UPDATE,
                    PolicyExpressions.GENERATION_NAMES, Map.of());
        }
    }

    private void setShare(String serverId, String attribute, OptionalInt share) {
        if (share.isPresent()) {
            if (share.getAsInt() < 1) {
                throw new IllegalArgumentException("a session share must be positive");
            }
            updateServer(serverId, "set session share", PolicyExpressions.SET_SHARE_UPDATE,
                    PolicyExpressions.shareNames(attribute),
                    Map.of(":share", AttributeValue.fromN(Integer.toString(share.getAsInt()))));
        } else {
            updateServer(serverId, "clear session share", PolicyExpressions.CLEAR_SHARE_UPDATE,
                    PolicyExpressions.shareNames(attribute), Map.of());
        }
    }

    /**
     * Adds or replaces the agent's grant for one server, creating the agent under {@code tenantId} if it
     * has no grants yet.
     *
     * @throws TenantConflictException the agent exists under another tenant; nothing was changed
     */
    public void grant(String agentId, String tenantId, ServerGrant grant) {
        PolicyItems.requireNonBlank(agentId, "agentId");
        PolicyItems.requireNonBlank(tenantId, "tenantId");
        PolicyItems.requireNonBlank(grant.serverId(), "serverId");
        for (List<String> rules : java.util.Arrays.asList(grant.tools(), grant.resources(), grant.prompts(), grant.methods())) {
            if (rules != null) {
                rules.forEach(rule -> PolicyItems.requireNonBlank(rule, "grant rule"));
            }
        }
        for (int attempt = 0; attempt < GRANT_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> existing;
            try {
                dynamoDb.updateItem(requests.grantRequest(agentId, tenantId, grant));
                return;
            } catch (ConditionalCheckFailedException e) {
                existing = e.hasItem() ? e.item() : Map.of();
            } catch (SdkException e) {
                throw unavailable("grant", e);
            }
            if (!existing.isEmpty()) {
                AttributeValue current = existing.get(PolicyItems.TENANT_ID);
                throw new PolicyAdminException.TenantConflictException(agentId, current == null ? null : current.s(), tenantId);
            }
            try {
                dynamoDb.putItem(requests.createAgentRequest(agentId, tenantId, grant));
                return;
            } catch (ConditionalCheckFailedException concurrentlyCreated) {
                // Someone created the agent since our update: the next round updates it or reports a conflict.
            } catch (SdkException e) {
                throw unavailable("grant", e);
            }
        }
        throw new StoreUnavailableException("grant did not settle: the agent item kept changing", null);
    }

    /**
     * Removes the agent's grant for one server.
     *
     * @return whether there was a grant to remove
     * @throws UnknownAgentException the agent has no item at all
     */
    public boolean revoke(String agentId, String serverId) {
        try {
            dynamoDb.updateItem(requests.revokeRequest(agentId, serverId));
            return true;
        } catch (ConditionalCheckFailedException e) {
            if (e.hasItem() && !e.item().isEmpty()) {
                return false;
            }
            throw new PolicyAdminException.UnknownAgentException(agentId);
        } catch (SdkException e) {
            throw unavailable("revoke", e);
        }
    }

    /** Gives the agent its own limit instead of the broker's default. */
    public void setAgentRate(String agentId, RateLimit limit) {
        Map<String, AttributeValue> values = PolicyItems.rateValues(limit);
        updateAgent(agentId, "set agent rate", PolicyExpressions.AGENT_RATE_UPDATE, values);
    }

    /** Returns the agent to the broker's default limit. */
    public void clearAgentRate(String agentId) {
        updateAgent(agentId, "clear agent rate", PolicyExpressions.AGENT_RATE_CLEAR, Map.of());
    }

    /** Sets the limit all of a tenant's agents share. Tenants have no other item, so this is an upsert. */
    public void setTenantRate(String tenantId, RateLimit limit) {
        PolicyItems.requireNonBlank(tenantId, "tenantId");
        try {
            dynamoDb.putItem(PutItemRequest.builder()
                    .tableName(tableName)
                    .item(PolicyItems.tenantLimitsItem(tenantId, limit))
                    .build());
        } catch (SdkException e) {
            throw unavailable("set tenant rate", e);
        }
    }

    public void clearTenantRate(String tenantId) {
        try {
            dynamoDb.deleteItem(DeleteItemRequest.builder().tableName(tableName).key(PolicyItems.tenantKey(tenantId)).build());
        } catch (SdkException e) {
            throw unavailable("clear tenant rate", e);
        }
    }

    /** Every registered server, by id. */
    public List<UpstreamServer> listServers() {
        List<UpstreamServer> servers = scan(PolicyItems.SERVER_PREFIX, PolicyItems.REGISTRY_ROLE, PolicyItems::serverFromItem);
        servers.sort(Comparator.comparing(UpstreamServer::id));
        return servers;
    }

    /** Every agent's grants, by agent id. */
    public List<AgentGrant> listGrants() {
        List<AgentGrant> grants = scan(PolicyItems.AGENT_PREFIX, PolicyItems.GRANT_ROLE, PolicyItems::agentFromItem);
        grants.sort(Comparator.comparing(AgentGrant::agentId));
        return grants;
    }

    /** Every tenant limit, by tenant id. */
    public Map<String, RateLimit> listTenantRates() {
        Map<String, RateLimit> rates = new TreeMap<>();
        scan(PolicyItems.TENANT_PREFIX, PolicyItems.LIMITS_ROLE,
                item -> rates.put(PolicyItems.idAfter(item, PolicyItems.TENANT_PREFIX), PolicyItems.rateFrom(item, true)));
        return rates;
    }

    private void updateServer(String serverId, String operation, String update, Map<String, String> names,
                              Map<String, AttributeValue> values) {
        UpdateItemRequest request = requests.serverUpdateRequest(serverId, update, names, values);
        try {
            dynamoDb.updateItem(request);
        } catch (ConditionalCheckFailedException e) {
            throw new PolicyAdminException.UnknownServerException(serverId);
        } catch (SdkException e) {
            throw unavailable(operation, e);
        }
    }

    private void updateAgent(String agentId, String operation, String update, Map<String, AttributeValue> values) {
        UpdateItemRequest request = requests.agentUpdateRequest(agentId, update, values);
        try {
            dynamoDb.updateItem(request);
        } catch (ConditionalCheckFailedException e) {
            throw new PolicyAdminException.UnknownAgentException(agentId);
        } catch (SdkException e) {
            throw unavailable(operation, e);
        }
    }

    private <T> List<T> scan(String prefix, String role, Function<Map<String, AttributeValue>, T> parse) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        try {
            dynamoDb.scanPaginator(requests.scanRequest(prefix, role)).items().forEach(items::add);
        } catch (SdkException e) {
            throw unavailable("scan", e);
        }
        List<T> parsed = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            try {
                parsed.add(parse.apply(item));
            } catch (PolicyItems.MalformedItemException e) {
                // Ids are not secrets, and the administrator needs to know which item to fix.
                throw new StoreUnavailableException("policy item " + item.get(PolicyTable.PARTITION_KEY).s()
                        + " is malformed: " + e.getMessage(), e);
            }
        }
        return parsed;
    }

    /** The requests this admin sends, for tests that pin them. */
    PolicyRequests requests() {
        return requests;
    }

    private StoreUnavailableException unavailable(String operation, SdkException e) {
        return new StoreUnavailableException("policy table " + operation + " failed: " + e.getClass().getSimpleName(), e);
    }
}
