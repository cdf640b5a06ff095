package dev.mcpbroker.core.mcp;

import dev.mcpbroker.core.mcp.McpMethod.Audit;
import dev.mcpbroker.core.mcp.McpMethod.Generation;
import dev.mcpbroker.core.mcp.McpMethod.Governance;
import dev.mcpbroker.core.mcp.McpMethod.Kind;
import dev.mcpbroker.core.mcp.McpMethod.Relay;
import dev.mcpbroker.core.mcp.McpMethod.Repeat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The broker's table of MCP methods: every method an agent may send to a server under either protocol generation,
 * every client notification, and the broker's own method, each with how it is governed, audited, recovered and
 * relayed ({@link McpMethod}). The request pipeline consults this table and nothing else; a method that is not in
 * it takes the one explicit default path of {@link #unknown}.
 */
public final class McpMethods {

    // Requests, both generations unless noted.
    public static final String INITIALIZE = "initialize";
    public static final String PING = "ping";
    public static final String TOOLS_LIST = "tools/list";
    public static final String TOOLS_CALL = "tools/call";
    public static final String RESOURCES_LIST = "resources/list";
    public static final String RESOURCES_READ = "resources/read";
    public static final String RESOURCES_TEMPLATES_LIST = "resources/templates/list";
    public static final String RESOURCES_SUBSCRIBE = "resources/subscribe";
    public static final String RESOURCES_UNSUBSCRIBE = "resources/unsubscribe";
    public static final String PROMPTS_LIST = "prompts/list";
    public static final String PROMPTS_GET = "prompts/get";
    public static final String COMPLETION_COMPLETE = "completion/complete";
    public static final String LOGGING_SET_LEVEL = "logging/setLevel";
    public static final String TASKS_GET = "tasks/get";
    public static final String TASKS_LIST = "tasks/list";
    public static final String TASKS_RESULT = "tasks/result";
    public static final String TASKS_CANCEL = "tasks/cancel";
    public static final String TASKS_UPDATE = "tasks/update";
    public static final String SERVER_DISCOVER = "server/discover";
    public static final String SUBSCRIPTIONS_LISTEN = "subscriptions/listen";

    /**
     * The broker's own method: the outcome of a state-changing call by its idempotency key
     * ({@code params: {tool, idempotencyKey}}), answered by the broker without contacting the upstream.
     */
    public static final String BROKER_OUTCOME = "mcp-broker/outcome";

    // Client notifications.
    public static final String NOTIFICATIONS_INITIALIZED = "notifications/initialized";
    public static final String NOTIFICATIONS_CANCELLED = "notifications/cancelled";
    public static final String NOTIFICATIONS_PROGRESS = "notifications/progress";
    public static final String NOTIFICATIONS_ROOTS_LIST_CHANGED = "notifications/roots/list_changed";
    public static final String NOTIFICATIONS_TASKS_STATUS = "notifications/tasks/status";

    private static final Set<Generation> SESSIONS = Set.of(Generation.SESSIONS);
    private static final Set<Generation> STATELESS = Set.of(Generation.STATELESS);
    private static final Set<Generation> BOTH = Set.of(Generation.SESSIONS, Generation.STATELESS);

    private static final Map<String, McpMethod> TABLE = new LinkedHashMap<>();

    static {
        request(INITIALIZE, SESSIONS, Governance.SERVER, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.OPEN_SESSION);
        request(PING, SESSIONS, Governance.SERVER, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(TOOLS_LIST, BOTH, Governance.TOOL_LIST, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(TOOLS_CALL, BOTH, Governance.TOOL, Audit.INTENT_AND_OUTCOME, Repeat.IF_READ_ONLY_TOOL, Relay.FORWARD);
        request(RESOURCES_LIST, BOTH, Governance.RESOURCE_LIST, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(RESOURCES_TEMPLATES_LIST, BOTH, Governance.RESOURCE_TEMPLATE_LIST, Audit.INTENT_AND_OUTCOME, Repeat.SAFE,
                Relay.FORWARD);
        request(RESOURCES_READ, BOTH, Governance.RESOURCE, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        // A subscription lives in the upstream session: a re-opened session has none to change.
        request(RESOURCES_SUBSCRIBE, SESSIONS, Governance.RESOURCE, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(RESOURCES_UNSUBSCRIBE, SESSIONS, Governance.RESOURCE, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(PROMPTS_LIST, BOTH, Governance.PROMPT_LIST, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(PROMPTS_GET, BOTH, Governance.PROMPT, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(COMPLETION_COMPLETE, BOTH, Governance.COMPLETION, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(LOGGING_SET_LEVEL, SESSIONS, Governance.SERVER, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        // Tasks live in the upstream (session): after a re-open the task a request names may be gone.
        request(TASKS_GET, BOTH, Governance.TASK, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(TASKS_LIST, SESSIONS, Governance.TASK_LIST, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(TASKS_RESULT, SESSIONS, Governance.TASK, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(TASKS_CANCEL, BOTH, Governance.TASK, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(TASKS_UPDATE, STATELESS, Governance.TASK, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
        request(SERVER_DISCOVER, STATELESS, Governance.SERVER, Audit.INTENT_AND_OUTCOME, Repeat.SAFE, Relay.FORWARD);
        request(SUBSCRIPTIONS_LISTEN, STATELESS, Governance.SUBSCRIPTION, Audit.INTENT_AND_OUTCOME, Repeat.NEVER,
                Relay.FORWARD);
        request(BROKER_OUTCOME, BOTH, Governance.BROKER_RECORDS, Audit.ANSWERED_BY_BROKER, Repeat.SAFE, Relay.BROKER);

        // The broker sent notifications/initialized itself when it opened the upstream session.
        notification(NOTIFICATIONS_INITIALIZED, SESSIONS, Audit.NONE, Relay.ABSORB);
        // A cancellation may stop work upstream: recorded before it is relayed.
        notification(NOTIFICATIONS_CANCELLED, BOTH, Audit.RECORDED, Relay.NOTIFY);
        notification(NOTIFICATIONS_PROGRESS, SESSIONS, Audit.NONE, Relay.NOTIFY);
        notification(NOTIFICATIONS_ROOTS_LIST_CHANGED, SESSIONS, Audit.NONE, Relay.NOTIFY);
        notification(NOTIFICATIONS_TASKS_STATUS, SESSIONS, Audit.NONE, Relay.NOTIFY);
    }

    /**
     * The path of a request whose method the table does not know: refused, unless the agent's grant names the method
     * (a vendor's extension); then relayed in its session, audited, never repeated.
     */
    private static final McpMethod UNKNOWN_REQUEST = new McpMethod("_unknown", Kind.REQUEST, BOTH,
            Governance.GRANTED_BY_NAME, Audit.INTENT_AND_OUTCOME, Repeat.NEVER, Relay.FORWARD);
    /**
     * The path of every other notification (a request sent without an id among them): the specification names every
     * notification a client sends, so anything else is refused and never relayed.
     */
    private static final McpMethod UNKNOWN_NOTIFICATION = new McpMethod("_unknown", Kind.NOTIFICATION, BOTH,
            Governance.SERVER, Audit.NONE, Repeat.NEVER, Relay.REFUSE);
    /** A JSON-RPC response sent by the agent: it must answer a request the broker relayed to this identity. */
    public static final McpMethod RESPONSE = new McpMethod("_response", Kind.NOTIFICATION, BOTH, Governance.SERVER,
            Audit.NONE, Repeat.NEVER, Relay.REFUSE);

    private McpMethods() {
    }

    /** The entry of {@code method} sent as {@code kind}; the default path of {@link #unknown} when the table has none. */
    public static McpMethod of(String method, Kind kind) {
        McpMethod entry = TABLE.get(method);
        return entry != null && entry.kind() == kind ? entry : unknown(kind);
    }

    /** The one default path of every method the table does not know. */
    public static McpMethod unknown(Kind kind) {
        return kind == Kind.REQUEST ? UNKNOWN_REQUEST : UNKNOWN_NOTIFICATION;
    }

    /** Whether a revision of the protocol the broker speaks names {@code method} (or it is the broker's own). */
    public static boolean isSpecified(String method) {
        return TABLE.containsKey(method);
    }

    /** Every entry, in the table's order. */
    public static java.util.Collection<McpMethod> all() {
        return java.util.Collections.unmodifiableCollection(TABLE.values());
    }

    private static void request(String name, Set<Generation> generations, Governance governance, Audit audit,
                                Repeat repeat, Relay relay) {
        TABLE.put(name, new McpMethod(name, Kind.REQUEST, generations, governance, audit, repeat, relay));
    }

    private static void notification(String name, Set<Generation> generations, Audit audit, Relay relay) {
        TABLE.put(name, new McpMethod(name, Kind.NOTIFICATION, generations, Governance.SERVER, audit, Repeat.NEVER, relay));
    }
}
