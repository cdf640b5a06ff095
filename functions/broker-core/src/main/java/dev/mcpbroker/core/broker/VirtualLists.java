package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.virtual.VirtualMember;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * A virtual server's lists (tools, prompts, resources, resource templates): each member's list, every page of it,
 * narrowed by the member's own grants and by the virtual server's selection, tool and prompt names prefixed, merged in
 * member order and then the upstream's order. A member that fails is left out, named with its failure class in the
 * result's {@code _meta} ({@link McpMeta#UNAVAILABLE_MEMBERS}), logged and counted; a member the agent has no grant
 * for is left out quietly. The merged list is whole: it carries no cursor.
 */
final class VirtualLists {

    private static final System.Logger LOG = System.getLogger(VirtualLists.class.getName());
    /** Pages read of one member's list; a member paging further is cut there (and logged), never looped on. */
    static final int MAX_PAGES = 20;

    /** How a list method's items are read and renamed. */
    private record Kind(String field, boolean renamed, BiPredicate<VirtualMember, String> exposes, String key) {
    }

    private static final Map<String, Kind> KINDS = Map.of(
            McpMethods.TOOLS_LIST, new Kind("tools", true, VirtualMember::exposesTool, "name"),
            McpMethods.PROMPTS_LIST, new Kind("prompts", true, VirtualMember::exposesPrompt, "name"),
            McpMethods.RESOURCES_LIST, new Kind("resources", false, VirtualMember::exposesResource, "uri"),
            McpMethods.RESOURCES_TEMPLATES_LIST, new Kind("resourceTemplates", false,
                    VirtualMember::exposesResourceTemplate, "uriTemplate"));

    private final VirtualMembers members;
    private final BrokerMetrics metrics;
    private final ObjectMapper mapper;

    VirtualLists(VirtualMembers members, BrokerMetrics metrics, ObjectMapper mapper) {
        this.members = Objects.requireNonNull(members);
        this.metrics = Objects.requireNonNull(metrics);
        this.mapper = Objects.requireNonNull(mapper);
    }

    static boolean isList(String method) {
        return KINDS.containsKey(method);
    }

    BrokerResponse merge(VirtualCall call) {
        Kind kind = KINDS.get(call.message().method());
        ObjectNode result = mapper.createObjectNode();
        ArrayNode items = result.putArray(kind.field());
        ArrayNode unavailable = mapper.createArrayNode();
        List<ObjectNode> events = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (VirtualMember member : call.server().members()) {
            try {
                ttl = Math.min(ttl, read(call, member, kind, items, events));
            } catch (VirtualMembers.MemberFailure e) {
                BrokerException failure = e.failure();
                if (failure.code() == ErrorCode.SERVER_NOT_ALLOWED) {
                    continue; // not the agent's to see
                }
                unavailable.add(mapper.createObjectNode().put("server", member.serverId())
                        .put("failureClass", failure.failureClass().wireName()).put("reason", failure.code().reason()));
                metrics.virtualMemberOmitted(call.server().name(), member.serverId(), failure.code().reason());
                LOG.log(Level.WARNING, () -> "virtual server " + call.server().name() + ": member " + member.serverId()
                        + " left out of " + call.message().method() + ": " + failure.code().reason());
            }
        }
        if (!unavailable.isEmpty()) {
            result.putObject(McpMeta.META).set(McpMeta.UNAVAILABLE_MEMBERS, unavailable);
        }
        if (call.stateless()) {
            result.put(McpMeta.RESULT_TYPE, McpMeta.COMPLETE);
            if (ttl != Long.MAX_VALUE) {
                result.put(McpMeta.TTL_MS, ttl);
            }
            result.put(McpMeta.CACHE_SCOPE, "private");
        }
        ObjectNode response = mapper.createObjectNode().put(JsonRpc.JSONRPC, JsonRpc.VERSION);
        response.set(JsonRpc.ID, call.message().id());
        response.set(JsonRpc.RESULT, result);
        BrokerResponse merged = BrokerResponse.json(response);
        return events.isEmpty() ? merged : merged.withEvents(events);
    }

    /** Adds one member's items (all pages) to {@code items}; returns how long its answer may be cached (ms), or MAX. */
    private long read(VirtualCall call, VirtualMember member, Kind kind, ArrayNode items, List<ObjectNode> events) {
        long ttl = Long.MAX_VALUE;
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode request = call.message().json().deepCopy();
            ObjectNode params = request.withObjectProperty(JsonRpc.PARAMS);
            if (cursor == null) {
                params.remove("cursor");
            } else {
                params.put("cursor", cursor);
            }
            BrokerResponse response = members.send(call, member, request, true);
            events.addAll(response.events());
            ObjectNode body = response.body().orElseThrow(() -> new VirtualMembers.MemberFailure(member.serverId(),
                    new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR, "no answer to a list request")));
            if (body.has(JsonRpc.ERROR)) {
                // a member without this capability answers method-not-found: it simply has nothing to list
                if (body.path(JsonRpc.ERROR).path(JsonRpc.CODE).asInt() == -32601) {
                    return ttl;
                }
                throw new VirtualMembers.MemberFailure(member.serverId(), new BrokerException(ErrorCode.UPSTREAM_REJECTED,
                        "the member answered its list with an error"));
            }
            JsonNode result = body.path(JsonRpc.RESULT);
            if (result.has(McpMeta.TTL_MS)) {
                ttl = Math.min(ttl, result.path(McpMeta.TTL_MS).asLong());
            }
            for (JsonNode item : result.path(kind.field())) {
                String key = item.path(kind.key()).asText(null);
                if (item instanceof ObjectNode object && key != null && kind.exposes().test(member, key)) {
                    ObjectNode copy = object.deepCopy();
                    if (kind.renamed()) {
                        copy.put(kind.key(), member.exposed(key));
                    }
                    items.add(copy);
                }
            }
            cursor = result.path("nextCursor").isTextual() ? result.path("nextCursor").asText() : null;
            if (cursor == null) {
                return ttl;
            }
        }
        LOG.log(Level.WARNING, () -> "virtual server " + call.server().name() + ": the " + kind.field() + " of member "
                + member.serverId() + " run past " + MAX_PAGES + " pages; the rest is left out");
        return ttl;
    }
}
