package dev.mcpbroker.conformance.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.fixtures.FixtureCompletions;
import dev.mcpbroker.conformance.fixtures.FixturePrompts;
import dev.mcpbroker.conformance.fixtures.FixtureResources;
import dev.mcpbroker.conformance.fixtures.FixtureTool;
import dev.mcpbroker.conformance.fixtures.FixtureTools;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.McpError;

import java.util.Set;

/**
 * The methods both generations share, answered from the fixtures: tools, resources, prompts and completions.
 * Results are bare (no {@code resultType}, cache hints or {@code _meta}); the 2026-07-28 endpoint adds those.
 */
public final class Dispatcher {

    /** Methods of both generations that this class answers. */
    public static final Set<String> SHARED_METHODS = Set.of("tools/list", "tools/call", "resources/list",
            "resources/templates/list", "resources/read", "prompts/list", "prompts/get", "completion/complete");

    private final FixtureTools tools;
    private final FixtureResources resources;
    private final FixturePrompts prompts;
    private final FixtureCompletions completions;

    public Dispatcher(FixtureTools tools, FixtureResources resources, FixturePrompts prompts,
            FixtureCompletions completions) {
        this.tools = tools;
        this.resources = resources;
        this.prompts = prompts;
        this.completions = completions;
    }

    public FixtureTools tools() {
        return tools;
    }

    /**
     * Answers {@code method}.
     *
     * @throws McpError for unknown methods (-32601) and invalid params
     * @throws InterruptedException when the server stops while a handler waits
     */
    public ObjectNode dispatch(String method, ObjectNode params, CallContext ctx) throws InterruptedException {
        return switch (method) {
            case "tools/list" -> page(params, Json.object("tools", tools.listEntries()));
            case "tools/call" -> callTool(params, ctx);
            case "resources/list" -> page(params, Json.object("resources", resources.list()));
            case "resources/templates/list" -> page(params, Json.object("resourceTemplates", resources.templates()));
            case "resources/read" -> Json.object("contents", resources.read(required(params, "uri"), ctx.generation()));
            case "prompts/list" -> page(params, Json.object("prompts", prompts.list()));
            case "prompts/get" -> prompts.get(required(params, "name"), argumentsOf(params), ctx);
            case "completion/complete" -> completions.complete(params);
            default -> throw McpError.methodNotFound(method);
        };
    }

    private ObjectNode callTool(ObjectNode params, CallContext ctx) throws InterruptedException {
        String name = required(params, "name");
        FixtureTool tool = tools.find(name).orElseThrow(() -> McpError.invalidParams("Unknown tool: " + name));
        return tool.handler().call(argumentsOf(params), ctx);
    }

    /** Every list fits one page; a cursor can only be one this server never issued. */
    private static ObjectNode page(ObjectNode params, ObjectNode result) {
        if (params.hasNonNull("cursor")) {
            throw McpError.invalidParams("Invalid cursor: this server does not paginate");
        }
        return result;
    }

    static String required(ObjectNode params, String field) {
        String value = Json.text(params, field);
        if (value == null) {
            throw McpError.invalidParams("params." + field + " (string) is required");
        }
        return value;
    }

    private static ObjectNode argumentsOf(ObjectNode params) {
        if (params.hasNonNull("arguments") && !params.get("arguments").isObject()) {
            throw McpError.invalidParams("params.arguments must be an object");
        }
        ObjectNode arguments = Json.objectAt(params, "arguments");
        return arguments != null ? arguments : Json.object();
    }
}
