package dev.mcpbroker.core.mcp;

import java.util.Objects;
import java.util.Set;

/**
 * One entry of the broker's table of MCP methods ({@link McpMethods}): everything the request pipeline needs to
 * know about a method an agent may send, decided once here rather than by name checks spread through the code.
 *
 * @param name        the JSON-RPC method
 * @param kind        whether it is sent as a request or as a notification
 * @param generations the protocol generations that define it
 * @param governance  which policy check it gets beyond admission to the server
 * @param audit       how it appears in the audit trail
 * @param repeat      whether the broker may send it again after the upstream lost its session
 * @param relay       how it reaches the upstream (or why it does not)
 */
public record McpMethod(String name, Kind kind, Set<Generation> generations, Governance governance, Audit audit,
                        Repeat repeat, Relay relay) {

    public McpMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        generations = Set.copyOf(generations);
        Objects.requireNonNull(governance, "governance");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(repeat, "repeat");
        Objects.requireNonNull(relay, "relay");
    }

    public enum Kind {
        /** Has an id and expects a response. */
        REQUEST,
        /** Has no id; answered 202 with no body. */
        NOTIFICATION
    }

    /** The two generations of the protocol the broker speaks. */
    public enum Generation {
        /** 2025-03-26 to 2025-11-25: {@code initialize} opens a session that every later request names. */
        SESSIONS,
        /** 2026-07-28: no sessions; every request carries its version and capabilities in {@code _meta}. */
        STATELESS
    }

    /** The policy check a method gets after the agent was admitted to the server (allowlist, grant, kill switch, rate). */
    public enum Governance {
        /** Admission to the server is all it needs. */
        SERVER,
        /** The tool named in {@code params.name} must be granted and not switched off. */
        TOOL,
        /** The result lists only tools the agent may call. */
        TOOL_LIST,
        /** The resource {@code params.uri} must be granted and not switched off (read, subscribe, unsubscribe). */
        RESOURCE,
        /** The result lists only resources the agent may read. */
        RESOURCE_LIST,
        /** The result lists only resource templates the agent was granted. */
        RESOURCE_TEMPLATE_LIST,
        /** The prompt {@code params.name} must be granted and not switched off. */
        PROMPT,
        /** The result lists only prompts the agent may get. */
        PROMPT_LIST,
        /** The prompt or resource template {@code params.ref} names must be granted and not switched off. */
        COMPLETION,
        /** The task {@code params.taskId} must be one this identity created. */
        TASK,
        /** The result lists only tasks this identity created. */
        TASK_LIST,
        /** Every resource a subscription names must be granted. */
        SUBSCRIPTION,
        /** The tool {@code params.tool} must be granted and not switched off; answered from the caller's own records. */
        BROKER_RECORDS,
        /** Not a method the broker knows: refused unless the agent's grant names it. */
        GRANTED_BY_NAME
    }

    /** How a method appears in the audit trail (refusals are always recorded as denied decisions). */
    public enum Audit {
        /** An intent before the upstream is contacted (fail closed), an outcome after. */
        INTENT_AND_OUTCOME,
        /** One allowed decision: the broker answered itself, revealing what it holds. */
        ANSWERED_BY_BROKER,
        /** One allowed decision before it is relayed (fail closed): a notification that acts upstream. */
        RECORDED,
        /** Not recorded on its own (it carries nothing that acts upstream). */
        NONE
    }

    /** Whether a request may be sent again after the upstream lost its session and the broker re-opened it. */
    public enum Repeat {
        /** It reads and changes nothing: sent again on the agent's behalf. */
        SAFE,
        /** Safe only for a tool the broker knows to be read-only. */
        IF_READ_ONLY_TOOL,
        /** Never sent again: the agent gets {@code upstream_session_lost} and decides. */
        NEVER
    }

    /** How a method travels. */
    public enum Relay {
        /** Opens a broker session and an upstream session ({@code initialize}). */
        OPEN_SESSION,
        /** Sent upstream (in the request's session, where the generation has sessions); the upstream's response answers it. */
        FORWARD,
        /** A notification sent upstream; 202 to the agent. */
        NOTIFY,
        /** Accepted with 202 and not sent: the broker already sent it upstream itself. */
        ABSORB,
        /** Answered by the broker; the upstream is never contacted. */
        BROKER,
        /** Refused and never relayed. */
        REFUSE
    }

    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }
}
