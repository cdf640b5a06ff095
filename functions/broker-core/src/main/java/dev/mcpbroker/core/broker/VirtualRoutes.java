package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import dev.mcpbroker.core.policy.ServerGrant;

/**
 * Requests that name one thing, sent to the member that exposes it with the name the member knows: a tool or prompt
 * to the one member its name belongs to (the definition guarantees at most one), its prefix stripped; a resource URI
 * or template, never renamed, to the members whose selection covers it, in order, until one answers.
 */
final class VirtualRoutes {

    private final VirtualMembers members;

    VirtualRoutes(VirtualMembers members) {
        this.members = Objects.requireNonNull(members);
    }

    BrokerResponse send(VirtualCall call) {
        ObjectNode message = call.message().json().deepCopy();
        ObjectNode params = message.withObjectProperty(JsonRpc.PARAMS);
        VirtualServer server = call.server();
        return switch (call.message().method()) {
            case McpMethods.TOOLS_CALL -> named(call, message, params, "name", server.tool(text(params, "name", call)), "tool");
            case McpMethods.BROKER_OUTCOME -> named(call, message, params, "tool", server.tool(text(params, "tool", call)), "tool");
            case McpMethods.PROMPTS_GET -> named(call, message, params, "name", server.prompt(text(params, "name", call)), "prompt");
            case McpMethods.RESOURCES_READ, McpMethods.RESOURCES_SUBSCRIBE, McpMethods.RESOURCES_UNSUBSCRIBE -> {
                String uri = text(params, "uri", call);
                yield firstAnswer(call, message, server.resourceOwners(uri), grant -> grant.allowsResource(uri));
            }
            case McpMethods.COMPLETION_COMPLETE -> completion(call, message, params);
            default -> throw new BrokerException(ErrorCode.NOT_RELAYABLE, call.message().method()
                    + " is not served on virtual servers; use the member server's own endpoint");
        };
    }

    private BrokerResponse completion(VirtualCall call, ObjectNode message, ObjectNode params) {
        if (!(params.get("ref") instanceof ObjectNode ref)) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, "completion/complete needs params.ref");
        }
        return switch (ref.path("type").asText("")) {
            case "ref/prompt" -> named(call, message, ref, "name", call.server().prompt(text(ref, "name", call)), "prompt");
            case "ref/resource" -> {
                String template = text(ref, "uri", call);
                yield firstAnswer(call, message, call.server().templateOwners(template),
                        grant -> grant.allowsResourceTemplate(template));
            }
            default -> throw new BrokerException(ErrorCode.INVALID_PARAMS,
                    "completion/complete needs params.ref of type ref/prompt or ref/resource");
        };
    }

    private BrokerResponse named(VirtualCall call, ObjectNode message, ObjectNode holder, String field,
                                 Optional<VirtualServer.Routed> routed, String kind) {
        VirtualServer.Routed target = routed.orElseThrow(() -> new BrokerException(ErrorCode.NAME_NOT_EXPOSED,
                "no member of virtual server '" + call.server().name() + "' exposes this " + kind));
        holder.put(field, target.upstreamName());
        return members.send(call, target.member(), message, false);
    }

    /**
     * The first member (in order) that answers with a result; when none does, the first member's failure or error,
     * so a URI of a member that is down fails with that member's failure class. Members whose grant does not cover
     * the resource are not tried, unless no member's does (then the first is, and refuses it as usual).
     */
    private BrokerResponse firstAnswer(VirtualCall call, ObjectNode message, List<VirtualMember> exposing,
                                       Predicate<ServerGrant> covers) {
        if (exposing.isEmpty()) {
            throw new BrokerException(ErrorCode.NAME_NOT_EXPOSED,
                    "no member of virtual server '" + call.server().name() + "' exposes this resource");
        }
        List<VirtualMember> granted = exposing.stream().filter(member -> members.mayReach(call, member, covers)).toList();
        List<VirtualMember> owners = granted.isEmpty() ? exposing.subList(0, 1) : granted;
        RuntimeException firstFailure = null;
        BrokerResponse firstError = null;
        for (VirtualMember owner : owners) {
            try {
                BrokerResponse response = members.send(call, owner, message.deepCopy(), false);
                boolean error = response.body().map(body -> body.has(JsonRpc.ERROR)).orElse(false);
                if (!error) {
                    return response;
                }
                if (firstError == null && firstFailure == null) {
                    firstError = response;
                }
            } catch (VirtualMembers.MemberFailure e) {
                if (firstError == null && firstFailure == null) {
                    firstFailure = e;
                }
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return firstError;
    }

    private static String text(ObjectNode params, String field, VirtualCall call) {
        JsonNode value = params.get(field);
        if (value == null || !value.isTextual()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMS, call.message().method() + " needs " + field + ", a string");
        }
        return value.asText();
    }
}
