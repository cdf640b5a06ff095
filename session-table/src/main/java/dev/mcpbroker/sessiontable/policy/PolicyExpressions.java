package dev.mcpbroker.sessiontable.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Every condition, update and filter expression used on policy items, with its placeholder names. Kept in
 * one place so a unit test pins each one: a changed condition changes what concurrent administrators may
 * do to the allowlist.
 */
final class PolicyExpressions {

    /** Changes to an existing item only: a typo in an id must not create a half-formed item. */
    static final String EXISTS_CONDITION = "attribute_exists(#pk)";
    static final Map<String, String> EXISTS_NAMES = Map.of("#pk", PolicyTable.PARTITION_KEY);

    /** Creating an item never overwrites one a concurrent administrator just wrote. */
    static final String CREATE_CONDITION = "attribute_not_exists(#pk)";
    static final Map<String, String> CREATE_NAMES = EXISTS_NAMES;

    /*
     * Registration is an upsert that leaves kill switches alone: re-registering a killed server (say, to
     * move its URL) must not silently revive it. Credentials the new auth does not use are removed so a
     * stale secret id is never presented to an upstream.
     */
    static final String REGISTER_SET = "SET #url = :url, #authScheme = :authScheme, "
            + "#connectTimeoutMs = :connectTimeoutMs, #requestTimeoutMs = :requestTimeoutMs, "
            + "#updatedAt = :updatedAt, #killed = if_not_exists(#killed, :notKilled)";
    static final Map<String, String> REGISTER_NAMES = Map.of(
            "#url", PolicyItems.URL,
            "#authScheme", PolicyItems.AUTH_SCHEME,
            "#connectTimeoutMs", PolicyItems.CONNECT_TIMEOUT_MS,
            "#requestTimeoutMs", PolicyItems.REQUEST_TIMEOUT_MS,
            "#updatedAt", PolicyItems.UPDATED_AT,
            "#killed", PolicyItems.KILLED,
            "#secretId", PolicyItems.SECRET_ID,
            "#headerName", PolicyItems.HEADER_NAME);

    static String registerUpdate(boolean hasSecretId, boolean hasHeaderName) {
        StringBuilder update = new StringBuilder(REGISTER_SET);
        if (hasSecretId) {
            update.append(", #secretId = :secretId");
        }
        if (hasHeaderName) {
            update.append(", #headerName = :headerName");
        }
        if (!hasSecretId || !hasHeaderName) {
            update.append(" REMOVE ");
            update.append(!hasSecretId && !hasHeaderName ? "#secretId, #headerName" : !hasSecretId ? "#secretId" : "#headerName");
        }
        return update.toString();
    }

    static final String SET_SECRET_UPDATE = "SET #secretId = :secretId, #updatedAt = :updatedAt";
    static final Map<String, String> SET_SECRET_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#secretId", PolicyItems.SECRET_ID,
            "#updatedAt", PolicyItems.UPDATED_AT);

    static final String KILL_UPDATE = "SET #killed = :killed, #updatedAt = :updatedAt";
    static final Map<String, String> KILL_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#killed", PolicyItems.KILLED,
            "#updatedAt", PolicyItems.UPDATED_AT);

    /* ADD and DELETE on a string set are idempotent and commute, so concurrent tool kills never lose one. */
    static final String KILL_TOOL_UPDATE = "SET #updatedAt = :updatedAt ADD #killedTools :tools";
    /** A tool is in at most one of the two override sets: declaring it one kind takes it out of the other. */
    static final String DECLARE_READ_ONLY_UPDATE = "SET #updatedAt = :updatedAt ADD #readOnlyTools :tools DELETE #stateChangingTools :tools";
    static final String DECLARE_STATE_CHANGING_UPDATE = "SET #updatedAt = :updatedAt ADD #stateChangingTools :tools DELETE #readOnlyTools :tools";
    static final String UNDECLARE_TOOL_UPDATE = "SET #updatedAt = :updatedAt DELETE #readOnlyTools :tools, #stateChangingTools :tools";
    static final Map<String, String> TOOL_KIND_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#updatedAt", PolicyItems.UPDATED_AT,
            "#readOnlyTools", PolicyItems.READ_ONLY_TOOLS,
            "#stateChangingTools", PolicyItems.STATE_CHANGING_TOOLS);
    static final String SET_KEY_POLICY_UPDATE = "SET #keyPolicy = :keyPolicy, #updatedAt = :updatedAt";
    static final String CLEAR_KEY_POLICY_UPDATE = "SET #updatedAt = :updatedAt REMOVE #keyPolicy";
    static final Map<String, String> KEY_POLICY_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#updatedAt", PolicyItems.UPDATED_AT,
            "#keyPolicy", PolicyItems.KEY_POLICY);
    /** Session cap and warm pool size; a cleared cap falls back to the broker's default. */
    static final String SET_SESSION_LIMITS_UPDATE = "SET #maxSessions = :maxSessions, #warmSessions = :warmSessions, #updatedAt = :updatedAt";
    static final String CLEAR_MAX_SESSIONS_UPDATE = "SET #warmSessions = :warmSessions, #updatedAt = :updatedAt REMOVE #maxSessions";
    static final Map<String, String> SESSION_LIMITS_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#maxSessions", PolicyItems.MAX_SESSIONS,
            "#warmSessions", PolicyItems.WARM_SESSIONS,
            "#updatedAt", PolicyItems.UPDATED_AT);

    /* Resources and prompts are switched off and on like tools, each in a string set of its own. */
    static final String SWITCH_OFF_UPDATE = "SET #updatedAt = :updatedAt ADD #switchedOff :names";
    static final String SWITCH_ON_UPDATE = "SET #updatedAt = :updatedAt DELETE #switchedOff :names";

    static Map<String, String> switchNames(String setAttribute) {
        return Map.of("#pk", PolicyTable.PARTITION_KEY, "#switchedOff", setAttribute, "#updatedAt", PolicyItems.UPDATED_AT);
    }

    /* A tenant's or an agent's share of a server's sessions, set or cleared one at a time. */
    static final String SET_SHARE_UPDATE = "SET #share = :share, #updatedAt = :updatedAt";
    static final String CLEAR_SHARE_UPDATE = "SET #updatedAt = :updatedAt REMOVE #share";

    static Map<String, String> shareNames(String shareAttribute) {
        return Map.of("#pk", PolicyTable.PARTITION_KEY, "#share", shareAttribute, "#updatedAt", PolicyItems.UPDATED_AT);
    }

    /* The protocol generation a server is declared to speak, or none: the broker learns it. */
    static final String SET_GENERATION_UPDATE = "SET #generation = :generation, #updatedAt = :updatedAt";
    static final String CLEAR_GENERATION_UPDATE = "SET #updatedAt = :updatedAt REMOVE #generation";
    static final Map<String, String> GENERATION_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY, "#generation", PolicyItems.GENERATION, "#updatedAt", PolicyItems.UPDATED_AT);

    static final String REVIVE_TOOL_UPDATE = "SET #updatedAt = :updatedAt DELETE #killedTools :tools";
    static final Map<String, String> TOOL_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#killedTools", PolicyItems.KILLED_TOOLS,
            "#updatedAt", PolicyItems.UPDATED_AT);

    /*
     * An agent's tenant is fixed at its first grant: granting under another tenant would move the agent, and
     * with it the tenant-wide limit it counts against, as a side effect of a grant.
     */
    static final String GRANT_CONDITION = "#tenantId = :tenantId";
    static final String GRANT_UPDATE = "SET #servers.#serverId = :grant";
    /** Plus {@code #serverId}, bound per request by {@link #withServerId}. */
    static final Map<String, String> GRANT_NAMES = Map.of(
            "#tenantId", PolicyItems.TENANT_ID,
            "#servers", PolicyItems.SERVERS);

    /** Only a grant that exists is removed, so the caller learns whether the revoke changed anything. */
    static final String REVOKE_CONDITION = "attribute_exists(#servers.#serverId)";
    static final String REVOKE_UPDATE = "REMOVE #servers.#serverId";
    /** Plus {@code #serverId}, bound per request by {@link #withServerId}. */
    static final Map<String, String> REVOKE_NAMES = Map.of("#servers", PolicyItems.SERVERS);

    static final String AGENT_RATE_UPDATE = "SET #ratePerSecond = :ratePerSecond, #rateBurst = :rateBurst";
    static final String AGENT_RATE_CLEAR = "REMOVE #ratePerSecond, #rateBurst";
    static final Map<String, String> AGENT_RATE_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#ratePerSecond", PolicyItems.RATE_PER_SECOND,
            "#rateBurst", PolicyItems.RATE_BURST);

    /** Scans for one kind of item. */
    static final String KIND_FILTER = "begins_with(#pk, :kind) AND #sk = :role";
    static final Map<String, String> KIND_NAMES = Map.of(
            "#pk", PolicyTable.PARTITION_KEY,
            "#sk", PolicyTable.SORT_KEY);

    /** The map key goes in as a placeholder: server ids may hold characters a document path cannot ({@code .}, {@code [}). */
    static Map<String, String> withServerId(Map<String, String> names, String serverId) {
        HashMap<String, String> bound = new HashMap<>(names);
        bound.put("#serverId", serverId);
        return Map.copyOf(bound);
    }

    private PolicyExpressions() {
    }
}
