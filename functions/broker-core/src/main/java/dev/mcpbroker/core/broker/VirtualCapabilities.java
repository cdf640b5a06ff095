package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a virtual server offers, declared by the broker without asking any member (members are reached lazily, and may
 * be down): every capability a member can contribute to. A member without one simply contributes nothing to it.
 */
final class VirtualCapabilities {

    private VirtualCapabilities() {
    }

    /**
     * For legacy sessions: list changes and resource updates a member sends while it answers a request reach the agent
     * with that answer, so they are promised.
     */
    static ObjectNode forSessions(ObjectMapper mapper) {
        ObjectNode capabilities = mapper.createObjectNode();
        capabilities.putObject("tools").put("listChanged", true);
        capabilities.putObject("prompts").put("listChanged", true);
        capabilities.putObject("resources").put("subscribe", true).put("listChanged", true);
        capabilities.putObject("completions");
        return capabilities;
    }

    /** For stateless agents: {@code subscriptions/listen} is not served on virtual servers, so no change is promised. */
    static ObjectNode forStateless(ObjectMapper mapper) {
        ObjectNode capabilities = mapper.createObjectNode();
        capabilities.putObject("tools");
        capabilities.putObject("prompts");
        capabilities.putObject("resources");
        capabilities.putObject("completions");
        return capabilities;
    }
}
