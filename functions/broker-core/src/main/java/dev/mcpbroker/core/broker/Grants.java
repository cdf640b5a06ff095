package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMessages;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.session.SessionOwner;
import dev.mcpbroker.core.session.TaskOwners;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Governance of every request by its method table entry: before anything is sent upstream, the tool, resource,
 * prompt, completion reference, task or method it names must be granted (and not switched off); after, list
 * results are narrowed to what the agent may use and tasks an upstream creates are recorded with their owner.
 */
final class Grants {

    private static final System.Logger LOG = System.getLogger(Grants.class.getName());
    /** How long the owner of a task is kept: tasks outlive sessions, not days. */
    static final Duration TASK_MEMORY = Duration.ofDays(1);

    private final AccessPolicy policy;
    private final TaskOwners tasks;
    private final ToolPinning pinning;
    private final Clock clock;

    Grants(AccessPolicy policy, TaskOwners tasks, ToolPinning pinning, Clock clock) {
        this.policy = Objects.requireNonNull(policy);
        this.tasks = Objects.requireNonNull(tasks);
        this.pinning = Objects.requireNonNull(pinning);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Refuses a request its grant does not cover, before any upstream contact. */
    void check(Exchange exchange) {
        ObjectNode params = exchange.jsonRpcRequest().params();
        switch (exchange.method().governance()) {
            case TOOL -> policy.checkToolCall(exchange.identity(), exchange.server(), toolOf(exchange));
            case RESOURCE -> policy.checkResource(exchange.identity(), exchange.server(), text(params, "uri", exchange));
            case PROMPT -> policy.checkPrompt(exchange.identity(), exchange.server(), text(params, "name", exchange));
            case COMPLETION -> checkCompletion(exchange, params.path("ref"));
            case TASK -> checkTask(exchange, text(params, "taskId", exchange));
            case SUBSCRIPTION -> {
                for (JsonNode uri : params.path("notifications").path("resourceSubscriptions")) {
                    policy.checkResource(exchange.identity(), exchange.server(), uri.asText(""));
                }
            }
            case BROKER_RECORDS -> policy.checkToolCall(exchange.identity(), exchange.server(), text(params, "tool", exchange));
            case GRANTED_BY_NAME -> policy.checkUnknownMethod(exchange.identity(), exchange.server(),
                    exchange.jsonRpcRequest().method());
            case SERVER, TOOL_LIST, RESOURCE_LIST, RESOURCE_TEMPLATE_LIST, PROMPT_LIST, TASK_LIST -> { }
        }
    }

    /** The tool a {@code tools/call} names; refused as invalid params when it names none. */
    static String toolOf(Exchange exchange) {
        String tool = McpMessages.toolName(exchange.message());
        if (tool == null) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, exchange.method().name() + " needs params.name, a string");
        }
        return tool;
    }

    /**
     * Narrows a list result to what the agent may use (and learns tool annotations and definitions from tool lists,
     * leaving out tools whose definitions pinning does not admit).
     */
    ObjectNode narrow(Exchange exchange, ObjectNode response) {
        switch (exchange.method().governance()) {
            case TOOL_LIST -> {
                pinning.narrowList(exchange, response);
                policy.filterToolList(exchange.identity(), exchange.server(), response);
            }
            case RESOURCE_LIST -> policy.filterResourceList(exchange.identity(), exchange.server(), response);
            case RESOURCE_TEMPLATE_LIST -> policy.filterResourceTemplateList(exchange.identity(), exchange.server(), response);
            case PROMPT_LIST -> policy.filterPromptList(exchange.identity(), exchange.server(), response);
            case TASK_LIST -> keepOwnTasks(exchange, response);
            default -> { }
        }
        return response;
    }

    /**
     * Records the owner of a task an upstream created for a {@code tools/call}: {@code result.task.taskId} (2025-11-25)
     * or a result of {@code resultType: "task"} (the 2026-07-28 tasks extension). Failing to record it does not fail
     * the call that created it; the task then stays out of the caller's reach (refused, never someone else's).
     */
    void recordCreatedTask(Exchange exchange, ObjectNode response) {
        JsonNode result = response.path(JsonRpc.RESULT);
        JsonNode taskId = "task".equals(result.path("resultType").asText()) ? result.path("taskId")
                : result.path("task").path("taskId");
        if (!taskId.isTextual() || taskId.asText().isEmpty()) {
            return;
        }
        try {
            tasks.recordOwner(exchange.server().id(), taskId.asText(), exchange.owner(), clock.instant().plus(TASK_MEMORY));
        } catch (StoreUnavailableException e) {
            LOG.log(Level.WARNING, () -> "the owner of a task created on '" + exchange.server().id()
                    + "' was not recorded; requests for it will be refused: " + e.getMessage());
        }
    }

    private void checkCompletion(Exchange exchange, JsonNode ref) {
        switch (ref.path("type").asText("")) {
            case "ref/prompt" -> policy.checkPrompt(exchange.identity(), exchange.server(), ref.path("name").asText(""));
            case "ref/resource" -> policy.checkResourceTemplate(exchange.identity(), exchange.server(),
                    ref.path("uri").asText(""));
            default -> throw new BrokerException(ErrorCode.INVALID_PARAMS,
                    "completion/complete needs params.ref of type ref/prompt or ref/resource");
        }
    }

    private void checkTask(Exchange exchange, String taskId) {
        Optional<SessionOwner> owner = tasks.ownerOf(exchange.server().id(), taskId);
        if (owner.isEmpty() || !owner.get().equals(exchange.owner())) {
            throw new BrokerException(ErrorCode.TASK_NOT_FOUND, "no task of this identity has this id");
        }
    }

    private void keepOwnTasks(Exchange exchange, ObjectNode response) {
        if (response.path(JsonRpc.RESULT).path("tasks") instanceof ArrayNode list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                String taskId = list.get(i).path("taskId").asText("");
                if (!tasks.ownerOf(exchange.server().id(), taskId).filter(exchange.owner()::equals).isPresent()) {
                    list.remove(i);
                }
            }
        }
    }

    private static String text(ObjectNode params, String field, Exchange exchange) {
        JsonNode value = params.get(field);
        if (value == null || !value.isTextual()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, exchange.method().name() + " needs params." + field
                    + ", a string");
        }
        return value.asText();
    }
}
