package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Virtual server items of the policy table: {@code virtual#<name>} / {@code virtual}, {@code members} L of M
 * ({@code server} S, optional {@code prefix} S, optional {@code tools}, {@code resources}, {@code prompts} L of S: absent
 * means every one, an empty list none), {@code updatedAt} N (epoch millis).
 */
final class VirtualServerItems {

    static final String PREFIX = "virtual#";
    static final String ROLE = "virtual";
    static final String MEMBERS = "members";
    static final String SERVER = "server";
    static final String MEMBER_PREFIX = "prefix";

    private VirtualServerItems() {
    }

    static Map<String, AttributeValue> key(String name) {
        return Map.of(PolicyTable.PARTITION_KEY, AttributeValue.fromS(PREFIX + name),
                PolicyTable.SORT_KEY, AttributeValue.fromS(ROLE));
    }

    static Map<String, AttributeValue> item(VirtualServer server, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>(key(server.name()));
        List<AttributeValue> members = new ArrayList<>();
        for (VirtualMember member : server.members()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put(SERVER, AttributeValue.fromS(member.serverId()));
            if (member.prefix() != null) {
                m.put(MEMBER_PREFIX, AttributeValue.fromS(member.prefix()));
            }
            put(m, PolicyItems.TOOLS, member.tools());
            put(m, PolicyItems.RESOURCES, member.resources());
            put(m, PolicyItems.PROMPTS, member.prompts());
            members.add(AttributeValue.fromM(m));
        }
        item.put(MEMBERS, AttributeValue.fromL(members));
        item.put(PolicyItems.UPDATED_AT, AttributeValue.fromN(Long.toString(now.toEpochMilli())));
        return item;
    }

    /** The virtual server an item holds; a malformed one is {@link PolicyItems.MalformedItemException}. */
    static VirtualServer fromItem(Map<String, AttributeValue> item) {
        AttributeValue pk = item.get(PolicyTable.PARTITION_KEY);
        AttributeValue members = item.get(MEMBERS);
        if (pk == null || pk.s() == null || !pk.s().startsWith(PREFIX) || members == null || !members.hasL()) {
            throw new PolicyItems.MalformedItemException(MEMBERS);
        }
        List<VirtualMember> parsed = new ArrayList<>();
        for (AttributeValue value : members.l()) {
            Map<String, AttributeValue> m = value.m();
            if (m == null || m.get(SERVER) == null || m.get(SERVER).s() == null) {
                throw new PolicyItems.MalformedItemException(SERVER);
            }
            parsed.add(new VirtualMember(m.get(SERVER).s(), m.containsKey(MEMBER_PREFIX) ? m.get(MEMBER_PREFIX).s() : null,
                    list(m, PolicyItems.TOOLS), list(m, PolicyItems.RESOURCES), list(m, PolicyItems.PROMPTS)));
        }
        try {
            return new VirtualServer(pk.s().substring(PREFIX.length()), parsed);
        } catch (VirtualServerRefusal e) {
            throw new PolicyItems.MalformedItemException(MEMBERS);
        }
    }

    private static void put(Map<String, AttributeValue> member, String attribute, List<String> rules) {
        if (rules != null) {
            member.put(attribute, AttributeValue.fromL(rules.stream().map(AttributeValue::fromS).toList()));
        }
    }

    private static List<String> list(Map<String, AttributeValue> member, String attribute) {
        AttributeValue value = member.get(attribute);
        return value == null || !value.hasL() ? null : value.l().stream().map(AttributeValue::s).toList();
    }
}
