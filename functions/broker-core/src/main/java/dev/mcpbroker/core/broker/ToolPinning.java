package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.LiveTools;
import dev.mcpbroker.core.pinning.PinStatus;
import dev.mcpbroker.core.pinning.PinnedTools;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolDefinition;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import java.util.Objects;
import java.util.Optional;

/**
 * Pinned tool definitions on the request path. Every {@code tools/list} answer teaches the instance the live
 * definitions; on a server under {@code enforce} a tool whose definition is not the approved one, or was never
 * approved, is left out of the answer, and a {@code tools/call} of it is refused before the upstream is contacted.
 * Under {@code warn} it passes, counted and (for calls) audited, and a tool seen for the first time is approved as it
 * is. A call of a tool whose live definition the instance does not know (fresh) reads the server's whole tool list
 * first, so the decision is never taken on a guess.
 */
final class ToolPinning {

    private final PinnedTools pins;
    private final ToolLists lists;
    private final AuditBracket audit;
    private final BrokerMetrics metrics;

    ToolPinning(PinnedTools pins, ToolLists lists, AuditBracket audit, BrokerMetrics metrics) {
        this.pins = Objects.requireNonNull(pins);
        this.lists = Objects.requireNonNull(lists);
        this.audit = Objects.requireNonNull(audit);
        this.metrics = Objects.requireNonNull(metrics);
    }

    /** Learns from a {@code tools/list} answer, and narrows it to approved definitions under {@code enforce}. */
    void narrowList(Exchange exchange, ObjectNode response) {
        String serverId = exchange.server().id();
        JsonNode result = response.path(JsonRpc.RESULT);
        lists.learnPage(serverId, result);
        if (!(result.path("tools") instanceof ArrayNode tools)) {
            return;
        }
        ServerPins server = pins.pins(serverId);
        if (server.mode() == PinningMode.OFF) {
            return;
        }
        for (int i = tools.size() - 1; i >= 0; i--) {
            ToolDefinition live = ToolDefinition.of(tools.get(i));
            PinStatus status = server.statusOf(live);
            if (status == PinStatus.NEW && server.mode() == PinningMode.WARN) {
                pins.approveOnFirstSight(serverId, live);
            } else if (status != PinStatus.APPROVED) {
                metrics.toolDefinitionDrift(serverId, refusal(status).reason());
                if (server.mode() == PinningMode.ENFORCE) {
                    tools.remove(i);
                }
            }
        }
    }

    /**
     * Checks a {@code tools/call} against the server's approvals: refused under {@code enforce} unless the live
     * definition is the approved one; under {@code warn} a changed definition is counted and audited and a new one
     * approved.
     *
     * @return the approved definition of the tool, if there is one
     */
    Optional<ApprovedTool> checkCall(Exchange exchange, String tool) {
        String serverId = exchange.server().id();
        ServerPins server = pins.pins(serverId);
        if (server.mode() == PinningMode.OFF) {
            return Optional.empty();
        }
        LiveTools.Lookup live = pins.live().lookup(serverId, tool);
        if (!live.known()) {
            lists.readAll(exchange.server(), exchange.session());
            live = pins.live().lookup(serverId, tool);
        }
        Optional<ApprovedTool> approved = server.approvedOf(tool);
        if (live.definition() == null) {
            // the upstream does not list it: nothing to compare, and nothing an operator approved is on offer
            if (server.mode() == PinningMode.ENFORCE) {
                ErrorCode code = approved.isPresent() ? ErrorCode.TOOL_DEFINITION_CHANGED : ErrorCode.TOOL_NOT_APPROVED;
                metrics.toolDefinitionDrift(serverId, code.reason());
                throw new BrokerException(code, "upstream '" + serverId + "' does not list tool '" + tool + "'");
            }
            return approved;
        }
        PinStatus status = server.statusOf(live.definition());
        if (status == PinStatus.APPROVED) {
            return approved;
        }
        if (status == PinStatus.NEW && server.mode() == PinningMode.WARN) {
            pins.approveOnFirstSight(serverId, live.definition());
            return approved;
        }
        ErrorCode refusal = refusal(status);
        metrics.toolDefinitionDrift(serverId, refusal.reason());
        if (server.mode() == PinningMode.ENFORCE) {
            throw new BrokerException(refusal, status == PinStatus.CHANGED
                    ? "the definition of tool '" + tool + "' changed since it was approved; an operator must approve it again"
                    : "tool '" + tool + "' has no approved definition on this server");
        }
        audit.allowed(exchange.subject(), refusal.reason());
        return approved;
    }

    private static ErrorCode refusal(PinStatus status) {
        return status == PinStatus.CHANGED ? ErrorCode.TOOL_DEFINITION_CHANGED : ErrorCode.TOOL_NOT_APPROVED;
    }
}
