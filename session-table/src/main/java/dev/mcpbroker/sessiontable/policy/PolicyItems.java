package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.policy.RateLimit;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Keys of policy items and the mapping between items and the core's policy records. Parsing fails with
 * {@link MalformedItemException}, naming the attribute but never its value: a URL or secret id read back
 * from the table does not belong in a log line.
 */
final class PolicyItems {

    static final String AGENT_PREFIX = "agent#";
    static final String TENANT_PREFIX = "tenant#";
    static final String SERVER_PREFIX = "server#";
    static final String GRANT_ROLE = "grant";
    static final String LIMITS_ROLE = "limits";
    static final String REGISTRY_ROLE = "registry";

    static final String TENANT_ID = "tenantId";
    static final String SERVERS = "servers";
    static final String TOOLS = "tools";
    static final String RESOURCES = "resources";
    static final String PROMPTS = "prompts";
    static final String METHODS = "methods";
    static final String RATE_PER_SECOND = "ratePerSecond";
    static final String RATE_BURST = "rateBurst";

    static final String URL = "url";
    static final String AUTH_SCHEME = "authScheme";
    static final String SECRET_ID = "secretId";
    static final String HEADER_NAME = "headerName";
    static final String CONNECT_TIMEOUT_MS = "connectTimeoutMs";
    static final String REQUEST_TIMEOUT_MS = "requestTimeoutMs";
    static final String KILLED = "killed";
    static final String KILLED_TOOLS = "killedTools";
    static final String KILLED_RESOURCES = "killedResources";
    static final String KILLED_PROMPTS = "killedPrompts";
    static final String READ_ONLY_TOOLS = "readOnlyTools";
    static final String STATE_CHANGING_TOOLS = "stateChangingTools";
    static final String KEY_POLICY = "idempotencyKeyPolicy";
    static final String MAX_SESSIONS = "maxSessions";
    static final String WARM_SESSIONS = "warmSessions";
    static final String MAX_SESSIONS_PER_TENANT = "maxSessionsPerTenant";
    static final String MAX_SESSIONS_PER_AGENT = "maxSessionsPerAgent";
    static final String GENERATION = "protocolGeneration";
    static final String UPDATED_AT = "updatedAt";

    private PolicyItems() {
    }

    static Map<String, AttributeValue> agentKey(String agentId) {
        return key(AGENT_PREFIX + agentId, GRANT_ROLE);
    }

    static Map<String, AttributeValue> tenantKey(String tenantId) {
        return key(TENANT_PREFIX + tenantId, LIMITS_ROLE);
    }

    static Map<String, AttributeValue> serverKey(String serverId) {
        return key(SERVER_PREFIX + serverId, REGISTRY_ROLE);
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(
                PolicyTable.PARTITION_KEY, AttributeValue.fromS(pk),
                PolicyTable.SORT_KEY, AttributeValue.fromS(sk));
    }

    /**
     * One server's entry in an agent's {@code servers} map: no {@code tools} means every tool; no {@code resources},
     * {@code prompts} or {@code methods} means none of them.
     */
    static AttributeValue grantValue(ServerGrant grant) {
        Map<String, AttributeValue> value = new HashMap<>();
        putList(value, TOOLS, grant.tools());
        putList(value, RESOURCES, grant.resources());
        putList(value, PROMPTS, grant.prompts());
        putList(value, METHODS, grant.methods());
        return AttributeValue.fromM(value);
    }

    private static void putList(Map<String, AttributeValue> value, String name, List<String> rules) {
        if (rules != null) {
            value.put(name, AttributeValue.fromL(rules.stream().map(AttributeValue::fromS).toList()));
        }
    }

    static Map<String, AttributeValue> rateValues(RateLimit limit) {
        return Map.of(
                ":ratePerSecond", AttributeValue.fromN(Double.toString(limit.perSecond())),
                ":rateBurst", AttributeValue.fromN(Integer.toString(limit.burst())));
    }

    static Map<String, AttributeValue> tenantLimitsItem(String tenantId, RateLimit limit) {
        Map<String, AttributeValue> item = new HashMap<>(tenantKey(tenantId));
        item.put(RATE_PER_SECOND, AttributeValue.fromN(Double.toString(limit.perSecond())));
        item.put(RATE_BURST, AttributeValue.fromN(Integer.toString(limit.burst())));
        return item;
    }

    static AgentGrant agentFromItem(Map<String, AttributeValue> item) {
        String agentId = idAfter(item, AGENT_PREFIX);
        Map<String, ServerGrant> servers = new HashMap<>();
        AttributeValue serverMap = item.get(SERVERS);
        if (serverMap != null) {
            if (!serverMap.hasM()) {
                throw new MalformedItemException(SERVERS + " is not a map");
            }
            serverMap.m().forEach((serverId, grant) -> servers.put(serverId, grantFrom(serverId, grant)));
        }
        return new AgentGrant(agentId, requireS(item, TENANT_ID), servers, rateFrom(item, false));
    }

    private static ServerGrant grantFrom(String serverId, AttributeValue grant) {
        if (!grant.hasM()) {
            throw new MalformedItemException(SERVERS + " entry is not a map");
        }
        return new ServerGrant(serverId, listFrom(grant, TOOLS), listFrom(grant, RESOURCES), listFrom(grant, PROMPTS),
                listFrom(grant, METHODS));
    }

    private static List<String> listFrom(AttributeValue grant, String name) {
        AttributeValue rules = grant.m().get(name);
        if (rules == null) {
            return null;
        }
        if (!rules.hasL() || rules.l().stream().anyMatch(rule -> rule.s() == null)) {
            throw new MalformedItemException(name + " is not a list of strings");
        }
        return rules.l().stream().map(AttributeValue::s).toList();
    }

    /** Null when the item sets no rate; a half-set rate is malformed rather than silently ignored. */
    static RateLimit rateFrom(Map<String, AttributeValue> item, boolean required) {
        AttributeValue perSecond = item.get(RATE_PER_SECOND);
        AttributeValue burst = item.get(RATE_BURST);
        if (perSecond == null && burst == null && !required) {
            return null;
        }
        try {
            return new RateLimit(Double.parseDouble(requireN(item, RATE_PER_SECOND)), Integer.parseInt(requireN(item, RATE_BURST)));
        } catch (IllegalArgumentException e) {
            throw new MalformedItemException("rate limit is out of range or not a number");
        }
    }

    static UpstreamServer serverFromItem(Map<String, AttributeValue> item) {
        String serverId = idAfter(item, SERVER_PREFIX);
        URI endpoint;
        try {
            endpoint = new URI(requireS(item, URL));
        } catch (URISyntaxException e) {
            throw new MalformedItemException(URL + " is not a URI");
        }
        UpstreamAuth auth;
        try {
            auth = new UpstreamAuth(UpstreamAuth.Scheme.valueOf(requireS(item, AUTH_SCHEME)),
                    optionalS(item, SECRET_ID), optionalS(item, HEADER_NAME));
        } catch (IllegalArgumentException e) {
            // The core's messages name the scheme and what it lacks, never a value.
            throw new MalformedItemException("auth: " + e.getMessage());
        }
        AttributeValue killed = item.get(KILLED);
        ServerControls controls = new ServerControls(killed != null && Boolean.TRUE.equals(killed.bool()),
                stringSet(item, KILLED_TOOLS), stringSet(item, KILLED_RESOURCES), stringSet(item, KILLED_PROMPTS));
        String keyPolicy = optionalS(item, KEY_POLICY);
        ToolPolicy toolPolicy;
        try {
            toolPolicy = new ToolPolicy(stringSet(item, READ_ONLY_TOOLS), stringSet(item, STATE_CHANGING_TOOLS),
                    keyPolicy == null ? Optional.empty() : Optional.of(keyPolicyRequires(keyPolicy)));
        } catch (IllegalArgumentException e) {
            throw new MalformedItemException("tool policy: " + e.getMessage());
        }
        SessionLimits limits;
        try {
            AttributeValue warm = item.get(WARM_SESSIONS);
            limits = new SessionLimits(optionalInt(item, MAX_SESSIONS), warm == null ? 0 : Integer.parseInt(warm.n()),
                    optionalInt(item, MAX_SESSIONS_PER_TENANT), optionalInt(item, MAX_SESSIONS_PER_AGENT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedItemException("session limits: " + e.getMessage());
        }
        return new UpstreamServer(serverId, endpoint,
                Duration.ofMillis(parseLong(item, CONNECT_TIMEOUT_MS)),
                Duration.ofMillis(parseLong(item, REQUEST_TIMEOUT_MS)),
                auth, controls, toolPolicy, limits, generation(optionalS(item, GENERATION)));
    }

    /** The stored words of a declared protocol generation. */
    static final String GENERATION_SESSIONS = "sessions";
    static final String GENERATION_STATELESS = "stateless";

    static String generationWord(McpMethod.Generation generation) {
        return generation == McpMethod.Generation.STATELESS ? GENERATION_STATELESS : GENERATION_SESSIONS;
    }

    private static McpMethod.Generation generation(String stored) {
        if (stored == null) {
            return null;
        }
        return switch (stored) {
            case GENERATION_SESSIONS -> McpMethod.Generation.SESSIONS;
            case GENERATION_STATELESS -> McpMethod.Generation.STATELESS;
            default -> throw new MalformedItemException(GENERATION + ": not a protocol generation");
        };
    }

    private static OptionalInt optionalInt(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(value.n()));
    }

    /** The stored words of a server's idempotency key policy. */
    static final String KEY_REQUIRED = "require";
    static final String KEY_OPTIONAL = "optional";

    private static boolean keyPolicyRequires(String stored) {
        return switch (stored) {
            case KEY_REQUIRED -> true;
            case KEY_OPTIONAL -> false;
            default -> throw new MalformedItemException(KEY_POLICY + " is neither " + KEY_REQUIRED + " nor " + KEY_OPTIONAL);
        };
    }

    private static Set<String> stringSet(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            return Set.of();
        }
        if (!value.hasSs()) {
            throw new MalformedItemException(name + " is not a string set");
        }
        return Set.copyOf(value.ss());
    }

    static String idAfter(Map<String, AttributeValue> item, String prefix) {
        String pk = requireS(item, PolicyTable.PARTITION_KEY);
        if (!pk.startsWith(prefix)) {
            throw new MalformedItemException("pk has the wrong prefix");
        }
        return pk.substring(prefix.length());
    }

    private static long parseLong(Map<String, AttributeValue> item, String name) {
        try {
            return Long.parseLong(requireN(item, name));
        } catch (NumberFormatException e) {
            throw new MalformedItemException(name + " is not an integer");
        }
    }

    private static String requireS(Map<String, AttributeValue> item, String name) {
        String value = optionalS(item, name);
        if (value == null) {
            throw new MalformedItemException(name + " is missing or not a string");
        }
        return value;
    }

    private static String optionalS(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static String requireN(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            throw new MalformedItemException(name + " is missing or not a number");
        }
        return value.n();
    }

    static String requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    /** An item the admin tool would not have written. Its message names an attribute, never a value. */
    static final class MalformedItemException extends RuntimeException {
        MalformedItemException(String message) {
            super(message, null, false, false);
        }
    }
}
