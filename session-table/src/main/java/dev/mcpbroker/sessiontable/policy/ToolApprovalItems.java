package dev.mcpbroker.sessiontable.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ToolDefinition;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Keys of tool pinning items in the policy table and the mapping to the core's records. A server's pinning lives in
 * a partition of its own, {@code tools#<serverId>}, beside its registry item: {@code pinning} holds the mode,
 * {@code tool#<name>} one approved definition each. A stored definition whose hash is not the hash of its canonical
 * JSON is malformed (edited by hand, or damaged): never trusted as an approval.
 */
final class ToolApprovalItems {

    static final String PARTITION_PREFIX = "tools#";
    static final String MODE_ROLE = "pinning";
    static final String TOOL_ROLE_PREFIX = "tool#";

    static final String MODE = "mode";
    static final String TOOL_NAME = "toolName";
    static final String DEFINITION = "definition";
    static final String HASH = "hash";
    static final String APPROVED_AT = "approvedAt";
    static final String APPROVED_BY = "approvedBy";
    static final String UPDATED_AT = PolicyItems.UPDATED_AT;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolApprovalItems() {
    }

    static AttributeValue partition(String serverId) {
        return AttributeValue.fromS(PARTITION_PREFIX + serverId);
    }

    static Map<String, AttributeValue> modeKey(String serverId) {
        return Map.of(PolicyTable.PARTITION_KEY, partition(serverId), PolicyTable.SORT_KEY, AttributeValue.fromS(MODE_ROLE));
    }

    static Map<String, AttributeValue> toolKey(String serverId, String tool) {
        return Map.of(PolicyTable.PARTITION_KEY, partition(serverId),
                PolicyTable.SORT_KEY, AttributeValue.fromS(TOOL_ROLE_PREFIX + tool));
    }

    static Map<String, AttributeValue> approvalItem(String serverId, ApprovedTool approval) {
        Map<String, AttributeValue> item = new HashMap<>(toolKey(serverId, approval.name()));
        item.put(TOOL_NAME, AttributeValue.fromS(approval.name()));
        item.put(DEFINITION, AttributeValue.fromS(approval.definition().canonicalJson()));
        item.put(HASH, AttributeValue.fromS(approval.hash()));
        item.put(APPROVED_AT, AttributeValue.fromN(Long.toString(approval.approvedAt().toEpochMilli())));
        item.put(APPROVED_BY, AttributeValue.fromS(approval.approvedBy()));
        return Map.copyOf(item);
    }

    static boolean isApproval(Map<String, AttributeValue> item) {
        return item.get(PolicyTable.SORT_KEY).s().startsWith(TOOL_ROLE_PREFIX);
    }

    static ApprovedTool approvalFrom(Map<String, AttributeValue> item) {
        String definition = text(item, DEFINITION);
        String hash = text(item, HASH);
        JsonNode parsed;
        try {
            parsed = JSON.readTree(definition);
        } catch (JsonProcessingException e) {
            throw new PolicyItems.MalformedItemException("tool approval " + DEFINITION + " is not JSON");
        }
        ToolDefinition tool = ToolDefinition.of(parsed);
        if (!tool.hash().equals(hash) || !tool.name().equals(text(item, TOOL_NAME))) {
            throw new PolicyItems.MalformedItemException("tool approval " + HASH + " does not match its " + DEFINITION);
        }
        try {
            return new ApprovedTool(tool, Instant.ofEpochMilli(Long.parseLong(number(item, APPROVED_AT))),
                    text(item, APPROVED_BY));
        } catch (NumberFormatException e) {
            throw new PolicyItems.MalformedItemException("tool approval " + APPROVED_AT + " is not a number");
        }
    }

    static PinningMode modeFrom(Map<String, AttributeValue> item) {
        try {
            return PinningMode.of(text(item, MODE));
        } catch (IllegalArgumentException e) {
            throw new PolicyItems.MalformedItemException("tool pinning " + MODE + " is not off, warn or enforce");
        }
    }

    private static String text(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.s() == null) {
            throw new PolicyItems.MalformedItemException("tool pinning item lacks " + attribute);
        }
        return value.s();
    }

    private static String number(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.n() == null) {
            throw new PolicyItems.MalformedItemException("tool pinning item lacks " + attribute);
        }
        return value.n();
    }
}
