package dev.mcpbroker.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinStatus;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolDefinition;
import dev.mcpbroker.core.pinning.ToolDefinitionDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code list-tools} and {@code diff-tool} print: each live tool's status against its approval, the approvals the
 * upstream no longer lists, and the listing hash that {@code approve-tool --all} must be given, so an operator
 * approves exactly the listing they looked at.
 */
final class ToolPinListing {

    private ToolPinListing() {
    }

    /** The SHA-256 of the live listing: every tool's name and definition hash. */
    static String listingHash(Map<String, ToolDefinition> live) {
        ObjectNode names = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(live).forEach((name, definition) -> names.put(name, definition.hash()));
        return ToolDefinition.hashOf(names);
    }

    static List<String> list(String serverId, ServerPins pins, Map<String, ToolDefinition> live) {
        List<String> lines = new ArrayList<>();
        lines.add("pinning " + pins.mode().wireName());
        live.forEach((name, definition) -> {
            PinStatus status = pins.statusOf(definition);
            String line = status.wireName() + "\t" + name + "\t" + definition.hash();
            if (status == PinStatus.CHANGED) {
                line += "\tapproved " + pins.approvedOf(name).orElseThrow().hash();
            }
            lines.add(line);
        });
        pins.approved().values().stream().filter(approval -> !live.containsKey(approval.name()))
                .sorted(java.util.Comparator.comparing(ApprovedTool::name))
                .forEach(approval -> lines.add("removed\t" + approval.name() + "\tapproved " + approval.hash()
                        + "\t(not listed by the upstream)"));
        lines.add("listing " + listingHash(live) + "\t(approve-tool " + serverId + " --all true --hash " + listingHash(live) + ")");
        return lines;
    }

    static List<String> diff(String tool, ServerPins pins, ToolDefinition live) {
        List<String> lines = new ArrayList<>();
        ApprovedTool approved = pins.approvedOf(tool).orElse(null);
        PinStatus status = pins.statusOf(live);
        lines.add(status.wireName() + "\t" + tool + "\t" + live.hash());
        if (approved != null) {
            lines.add("approved " + approved.hash() + " by " + approved.approvedBy() + " at " + approved.approvedAt());
        }
        ToolDefinition before = approved != null ? approved.definition()
                : ToolDefinition.of(JsonNodeFactory.instance.objectNode().put("name", tool));
        lines.addAll(ToolDefinitionDiff.between(before, live));
        return lines;
    }
}
